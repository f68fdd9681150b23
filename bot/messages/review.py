"""The quarterly review's groups and legend, its close-out (the button, the modal, the thread's replies)
and `baton report --kind review`."""

MESSAGES: dict[str, dict[str, str]] = {
    # groups: Google's OKR grading (0.7 and above green, 0.4-0.6 yellow, below red)
    "review.group.achieved": {
        "en": "*Achieved* (score 0.7 or more) · {count}",
        "fr": "*Atteints* (score de 0,7 ou plus) · {count}",
    },
    "review.group.partly": {
        "en": "*Partly achieved* (0.4 to 0.7) · {count}",
        "fr": "*Atteints en partie* (de 0,4 à 0,7) · {count}",
    },
    "review.group.missed": {
        "en": "*Missed* (below 0.4) · {count}",
        "fr": "*Manqués* (moins de 0,4) · {count}",
    },
    "review.group.unscored": {
        "en": "*Not scored* (no baseline, target or value) · {count}",
        "fr": "*Sans score* (pas de point de départ, de cible ou de valeur) · {count}",
    },
    "review.rank": {"en": "{rank}.", "fr": "{rank}."},
    "review.legend": {
        "en": "One dot per week, {first} → {last}: {items}",
        "fr": "Un point par semaine, {first} → {last} : {items}",
    },
    "review.no_update": {"en": "no update", "fr": "pas de point"},
    "review.closeout.prompt": {
        "en": "The quarter is over: the strategy office records each initiative as achieved, carried over "
        "or dropped.",
        "fr": "Le trimestre est terminé : le bureau de la stratégie indique pour chaque initiative si elle "
        "est atteinte, reportée ou abandonnée.",
    },
    "review.closeout.button": {"en": "Close out the quarter", "fr": "Clôturer le trimestre"},
    "review.closeout.decision": {
        "en": ":checkered_flag: {date}: *{outcome}* · {reason}",
        "fr": ":checkered_flag: {date} : *{outcome}* · {reason}",
    },
    "outcome.achieved": {"en": "Achieved", "fr": "Atteinte"},
    "outcome.carried_over": {"en": "Carried over", "fr": "Reportée"},
    "outcome.dropped": {"en": "Dropped", "fr": "Abandonnée"},
    # the close-out modal
    "closeout.modal.title": {"en": "Close out {quarter}", "fr": "Clôture {quarter}"},
    "closeout.modal.submit": {"en": "Record", "fr": "Enregistrer"},
    "closeout.modal.close": {"en": "Done", "fr": "Terminer"},
    "closeout.modal.about": {
        "en": "*{left}* initiative(s) of {quarter} still to close out. Record one at a time: the next one "
        "is shown after each.",
        "fr": "Il reste *{left}* initiative(s) de {quarter} à clôturer. Une à la fois : la suivante "
        "s'affiche après chaque enregistrement.",
    },
    "closeout.modal.more": {
        "en": "The list shows the first {shown}; the others follow as these are closed out.",
        "fr": "La liste montre les {shown} premières ; les autres suivent à mesure.",
    },
    "closeout.modal.initiative": {"en": "Initiative", "fr": "Initiative"},
    "closeout.modal.outcome": {"en": "Outcome", "fr": "Issue"},
    "closeout.modal.carried_hint": {
        "en": "Continues in {next} with the same target and RACI, from the value reached.",
        "fr": "Continue en {next} avec la même cible et le même RACI, à partir de la valeur atteinte.",
    },
    "closeout.modal.reason": {"en": "Reason", "fr": "Motif"},
    "closeout.modal.option": {"en": "{title} · score {score}", "fr": "{title} · score {score}"},
    "closeout.modal.all_done": {
        "en": "Every initiative of {quarter} is closed out.",
        "fr": "Toutes les initiatives de {quarter} sont clôturées.",
    },
    "closeout.recorded": {
        "en": ":checkered_flag: <@{user}> closed out *{title}*: *{outcome}* · {reason}",
        "fr": ":checkered_flag: <@{user}> a clôturé *{title}* : *{outcome}* · {reason}",
    },
    "closeout.recorded_carried": {
        "en": ":checkered_flag: <@{user}> closed out *{title}*: *{outcome}* to {next} · {reason}",
        "fr": ":checkered_flag: <@{user}> a clôturé *{title}* : *{outcome}* en {next} · {reason}",
    },
    "closeout.recorded_text": {
        "en": "{title}: {outcome}",
        "fr": "{title} : {outcome}",
    },
    "closeout.error.admins": {
        "en": "Only the strategy office (Baton's admins) can close out a quarter.",
        "fr": "Seul le bureau de la stratégie (les administrateurs de Baton) peut clôturer un trimestre.",
    },
    "closeout.error.reason": {"en": "Say why, in a few words.", "fr": "Dites pourquoi, en quelques mots."},
    "closeout.error.reason_long": {
        "en": "Keep the reason under 500 characters.",
        "fr": "Le motif doit faire moins de 500 caractères.",
    },
    "closeout.error.not_over": {
        "en": "This quarter is not over yet: close it out once it has ended.",
        "fr": "Ce trimestre n'est pas encore terminé : clôturez-le une fois fini.",
    },
    "closeout.error.gone": {
        "en": "That initiative is no longer part of this quarter.",
        "fr": "Cette initiative ne fait plus partie de ce trimestre.",
    },
    "closeout.error.done": {
        "en": "That initiative was closed out already.",
        "fr": "Cette initiative a déjà été clôturée.",
    },
    "closeout.error.pick": {
        "en": "Pick an initiative and an outcome.",
        "fr": "Choisissez une initiative et une issue.",
    },
    # baton report --kind review
    "report.review.title": {"en": "Quarterly review — {quarter}", "fr": "Revue trimestrielle — {quarter}"},
    "report.review.summary": {
        "en": "{count} initiative(s) · average score {average} over {scored} scored",
        "fr": "{count} initiative(s) · score moyen {average} sur {scored} notées",
    },
    "report.review.rank": {"en": "#", "fr": "N°"},
    "report.review.initiative": {"en": "Initiative", "fr": "Initiative"},
    "report.review.kpi": {"en": "Baseline → target → reached", "fr": "Départ → cible → atteint"},
    "report.review.score": {"en": "Score", "fr": "Score"},
    "report.review.weeks": {"en": "Week by week", "fr": "Semaine par semaine"},
    "report.review.decisions": {"en": "Decisions", "fr": "Décisions"},
    "report.review.scores": {
        "en": "Score by initiative (0 = baseline, 1 = target)",
        "fr": "Score par initiative (0 = départ, 1 = cible)",
    },
    "report.review.page": {"en": "Page {number} of {total}", "fr": "Page {number} sur {total}"},
    "report.review.none": {
        "en": "No initiative belonged to this quarter.",
        "fr": "Aucune initiative dans ce trimestre.",
    },
}
