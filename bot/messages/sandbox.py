"""Texts of The local Slack sandbox page (bot/sandbox)."""

MESSAGES: dict[str, dict[str, str]] = {
    # a clock jump's notice
    "sandbox.now": {"en": "It is now {when}.", "fr": "Il est maintenant {when}."},
    "sandbox.ran": {"en": "Baton ran its rituals:", "fr": "Baton a lancé ses rituels :"},
    "sandbox.prompts": {
        "en": "Each owner's check-in prompt:",
        "fr": "La demande de point de chaque responsable :",
    },
    "sandbox.days": {"en": "Mon Tue Wed Thu Fri Sat Sun", "fr": "lun. mar. mer. jeu. ven. sam. dim."},
    "sandbox.months": {
        "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    },
    "sandbox.prompt.sent": {"en": "{who}: sent, {when}", "fr": "{who} : envoyée, {when}"},
    "sandbox.prompt.late": {
        "en": "{who}: sent late, {when}: Baton was down at their check-in hour, and the message says so",
        "fr": "{who} : envoyée tardivement, {when} : Baton était arrêté à leur heure de point, et le message "
        "le dit",
    },
    "sandbox.prompt.failed": {
        "en": "{who}: Slack refused it ({why})",
        "fr": "{who} : refusée par Slack ({why})",
    },
    "sandbox.prompt.skipped": {
        "en": "{who}: not sent, skipped: {why}",
        "fr": "{who} : non envoyée, ignorée : {why}",
    },
    "sandbox.prompt.due_later": {
        "en": "{who}: waiting for their check-in hour, {when}",
        "fr": "{who} : en attente de leur heure de point, {when}",
    },
    "sandbox.prompt.next_morning": {
        "en": "{who}: missed by more than the grace window, waiting for their next working morning, {when}",
        "fr": "{who} : manquée de plus que le délai de grâce, en attente de leur prochain matin travaillé, "
        "{when}",
    },
    "sandbox.prompt.not_asked": {
        "en": "{who}: not asked this week (their initiatives started after it was due)",
        "fr": "{who} : pas sollicité cette semaine (leurs initiatives ont commencé après l'échéance)",
    },
    "sandbox.why.answered": {"en": "already answered", "fr": "déjà répondu"},
    "sandbox.why.away": {"en": "out of office, no delegate", "fr": "absent, sans délégué"},
    "sandbox.why.deactivated": {
        "en": "deactivated or unknown in Slack",
        "fr": "désactivé ou inconnu dans Slack",
    },
    "sandbox.why.missed": {
        "en": "missed, and no working morning is left this week",
        "fr": "manquée, et il ne reste aucun matin travaillé cette semaine",
    },
    "sandbox.why.holiday": {"en": "holiday ({name})", "fr": "jour férié ({name})"},
}
