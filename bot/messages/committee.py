"""Texts of the arbitration committee: its agenda's items and buttons, what the buttons answer, and the
minutes. (The agenda's header, intro and part labels are the older `committee.*` keys, in escalations.py.)"""

MESSAGES: dict[str, dict[str, str]] = {
    # the meeting, in words: day and month names in the reader's language
    "committee.date": {"en": "{day} at {time} ({zone})", "fr": "{day} à {time} ({zone})"},
    "committee.agenda.meeting": {"en": "*Meeting:* {when}", "fr": "*Séance :* {when}"},
    "committee.agenda.intro": {
        "en": "*{count} initiative(s) to arbitrate*, the weightiest and oldest first:",
        "fr": "*{count} initiative(s) à arbitrer*, les plus lourdes et les plus anciennes d'abord :",
    },
    "committee.agenda.text": {
        "en": "Arbitration committee {month}: {count} initiative(s) on the agenda",
        "fr": "Comité d'arbitrage {month} : {count} initiative(s) à l'ordre du jour",
    },
    "committee.agenda.item": {
        "en": "*{number}. {title}* · open for {days} day(s)",
        "fr": "*{number}. {title}* · ouverte depuis {days} jour(s)",
    },
    "committee.agenda.reason": {
        "en": "• *{rule}* ({state}): {reason}",
        "fr": "• *{rule}* ({state}) : {reason}",
    },
    "committee.agenda.preread": {"en": "*Pre-read*\n{lines}", "fr": "*À lire avant la séance*\n{lines}"},
    "committee.agenda.checkin": {
        "en": "• {cycle} · {status} · KPI {kpi}{comment}",
        "fr": "• {cycle} · {status} · KPI {kpi}{comment}",
    },
    "committee.agenda.comment": {"en": " · “{comment}”", "fr": " · « {comment} »"},
    "committee.agenda.no_checkin": {"en": "• No check-in yet.", "fr": "• Aucun point pour l'instant."},
    "committee.agenda.deferred": {
        "en": ":arrow_right: Deferred to the committee of {when}.",
        "fr": ":arrow_right: Reportée au comité du {when}.",
    },
    "committee.agenda.decided": {
        "en": ":white_check_mark: Decided in this committee.\n{decision}",
        "fr": ":white_check_mark: Décidée en séance.\n{decision}",
    },
    "committee.agenda.closed": {
        "en": "Closed since the agenda was posted: nothing left to decide.",
        "fr": "Close depuis la publication de l'ordre du jour : plus rien à décider.",
    },
    "committee.agenda.how": {
        "en": "Each item: *Record decision* (one decision closes all its escalations), *Defer* to the next "
        "committee, or *Open status* (shown to you alone). `/okr decisions` lists the log.",
        "fr": "Pour chaque point : *Consigner la décision* (une décision clôt toutes ses escalades), "
        "*Reporter* au comité suivant, ou *Voir le statut* (visible de vous seul). `/okr decisions` "
        "affiche le journal.",
    },
    "committee.button.decide": {"en": "Record decision", "fr": "Consigner la décision"},
    "committee.button.defer": {"en": "Defer to next committee", "fr": "Reporter au comité suivant"},
    "committee.button.status": {"en": "Open status", "fr": "Voir le statut"},
    # what the buttons answer, privately
    "committee.deferred": {
        "en": "*{title}* is deferred to the committee of {when}.",
        "fr": "*{title}* est reportée au comité du {when}.",
    },
    "committee.not_agenda": {
        "en": "This is not a committee agenda Baton posted: nothing was changed.",
        "fr": "Ce message n'est pas un ordre du jour publié par Baton : rien n'a été modifié.",
    },
    "committee.nothing_open": {
        "en": "Nothing is left to arbitrate for *{title}*: its escalations are closed.",
        "fr": "Plus rien à arbitrer pour *{title}* : ses escalades sont closes.",
    },
    "committee.modal.about": {
        "en": "This decision closes every open escalation of *{title}*: {rules}.",
        "fr": "Cette décision clôt toutes les escalades ouvertes de *{title}* : {rules}.",
    },
    # the minutes
    "committee.minutes.header": {
        "en": "Minutes — arbitration committee {month}",
        "fr": "Compte rendu — comité d'arbitrage {month}",
    },
    "committee.minutes.text": {
        "en": "Minutes of the arbitration committee {month}: {count} decision(s)",
        "fr": "Compte rendu du comité d'arbitrage {month} : {count} décision(s)",
    },
    "committee.minutes.intro": {
        "en": "The committee of {when} took *{count} decision(s)*:",
        "fr": "Le comité du {when} a pris *{count} décision(s)* :",
    },
    "committee.minutes.item": {
        "en": "*{number}. {title}*\n{decision}",
        "fr": "*{number}. {title}*\n{decision}",
    },
    "committee.minutes.deferred": {
        "en": "Deferred to the next committee: {titles}.",
        "fr": "Reportées au comité suivant : {titles}.",
    },
}
