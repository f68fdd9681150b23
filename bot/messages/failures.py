"""What a person reads when Baton could not do what they asked, and what they typed that it cannot keep."""

MESSAGES: dict[str, dict[str, str]] = {
    "failure.database": {
        "en": ":warning: Baton's database did not answer in time, so this was *not saved*. Try again in a "
        "few minutes.",
        "fr": ":warning: La base de données de Baton n'a pas répondu à temps : rien n'a été *enregistré*. "
        "Réessayez dans quelques minutes.",
    },
    "failure.slack": {
        "en": ":warning: Baton could not finish this because Slack did not answer. Try again in a few "
        "minutes.",
        "fr": ":warning: Baton n'a pas pu aller au bout, Slack n'a pas répondu. Réessayez dans quelques "
        "minutes.",
    },
    "failure.other": {
        "en": ":warning: Something went wrong on Baton's side and this was *not saved*. Try again; if it "
        "keeps happening, tell your Baton admin.",
        "fr": ":warning: Un problème est survenu du côté de Baton et rien n'a été *enregistré*. "
        "Réessayez ; si cela se reproduit, prévenez l'administrateur de Baton.",
    },
    "failure.modal": {
        "en": "Baton could not save this just now. Your answer is still here: try Submit again in a minute.",
        "fr": "Baton n'a pas pu enregistrer pour l'instant. Votre réponse est toujours là : réessayez "
        "dans une minute.",
    },
    "typed.nul": {
        "en": "This holds a character Slack text cannot carry (a NUL byte, often pasted from a file): "
        "remove it and try again.",
        "fr": "Ce texte contient un caractère que Slack ne peut pas transporter (un octet NUL, souvent "
        "collé depuis un fichier) : retirez-le et réessayez.",
    },
}
