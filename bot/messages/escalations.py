"""Texts of escalation alerts, the arbitration workflow, the decision log, committee agendas and the
quarterly review."""

MESSAGES: dict[str, dict[str, str]] = {
    # the rules, in words
    "esc.rule.off_track": {"en": "Off track", "fr": "Hors trajectoire"},
    "esc.rule.decision_needed": {"en": "Decision needed", "fr": "Décision attendue"},
    "esc.rule.projection_miss": {
        "en": "KPI projection misses the target",
        "fr": "La projection du KPI manque la cible",
    },
    "esc.rule.at_risk_streak": {
        "en": "At risk week after week",
        "fr": "À risque plusieurs semaines de suite",
    },
    "esc.rule.confidence_drop": {"en": "Confidence dropped", "fr": "Confiance en baisse"},
    "esc.rule.silent": {"en": "No update", "fr": "Pas de point"},
    "esc.rule.manual": {"en": "Escalated by hand", "fr": "Remontée à la main"},
    # what a rule saw
    "esc.reason.off_track": {
        "en": "Reported off track in {cycle} ({cycles} cycle(s) in a row).",
        "fr": "Déclarée hors trajectoire en {cycle} ({cycles} cycle(s) d'affilée).",
    },
    "esc.reason.at_risk_streak": {
        "en": "Reported at risk in each of the last {cycles} answered cycles.",
        "fr": "Déclarée à risque à chacun des {cycles} derniers points.",
    },
    "esc.reason.confidence_drop": {
        "en": "The owner's confidence fell from {before}/5 to {now}/5.",
        "fr": "La confiance du responsable est passée de {before}/5 à {now}/5.",
    },
    "esc.reason.projection_miss": {
        "en": "At its current trend the KPI reaches {projected} by {due}, short of its target of {target}.",
        "fr": "Au rythme actuel, le KPI atteindra {projected} au {due}, en deçà de sa cible de {target}.",
    },
    "esc.reason.silent": {
        "en": "No update for {cycles} cycles (the last one was for {last}).",
        "fr": "Aucun point depuis {cycles} cycles (le dernier date de {last}).",
    },
    "esc.reason.silent_never": {
        "en": "No update for {cycles} cycles, and none since it was created.",
        "fr": "Aucun point depuis {cycles} cycles, ni depuis sa création.",
    },
    "esc.reason.decision_needed": {
        "en": "The owner asks for a decision: {decision}",
        "fr": "Le responsable demande une décision : {decision}",
    },
    "esc.reason.more": {
        "en": "Also raised by <@{user}>: {reason}",
        "fr": "Également remonté par <@{user}> : {reason}",
    },
    # the alert
    "esc.header": {"en": "Escalation: {title}", "fr": "Escalade : {title}"},
    "esc.text": {"en": "Escalation for {title}: {rule}", "fr": "Escalade pour {title} : {rule}"},
    "esc.why": {"en": "*Rule:* {rule}\n*Why:* {reason}", "fr": "*Règle :* {rule}\n*Pourquoi :* {reason}"},
    "esc.by_hand": {"en": "<@{user}> wrote: {reason}", "fr": "<@{user}> a écrit : {reason}"},
    "esc.history": {"en": "*Recent updates*\n{lines}", "fr": "*Derniers points*\n{lines}"},
    "esc.history_line": {
        "en": "• {cycle} · {status} · KPI {kpi} · confidence {confidence}",
        "fr": "• {cycle} · {status} · KPI {kpi} · confiance {confidence}",
    },
    "esc.history_none": {"en": "_No update yet._", "fr": "_Pas encore de point._"},
    "esc.raci": {
        "en": "*Responsible:* {r}\n*Accountable:* {a}\n*Consulted:* {c} · *Informed:* {i}",
        "fr": "*Responsable :* {r}\n*Garant :* {a}\n*Consultés :* {c} · *Informés :* {i}",
    },
    "esc.nobody": {"en": "nobody", "fr": "personne"},
    "esc.needed": {"en": "*Decision needed:* {decision}", "fr": "*Décision attendue :* {decision}"},
    "esc.options": {"en": "*Options:* {options}", "fr": "*Options :* {options}"},
    "esc.state.opened": {"en": "Opened {when}.", "fr": "Ouverte le {when}."},
    "esc.state.waiting": {
        "en": "Waiting for an acknowledgement before {deadline}.",
        "fr": "En attente d'une prise en compte avant le {deadline}.",
    },
    "esc.state.level1": {
        "en": ":alarm_clock: Not acknowledged in time: escalated to the accountable people ({who}).",
        "fr": ":alarm_clock: Pas prise en compte à temps : remontée aux garants ({who}).",
    },
    "esc.state.level2": {
        "en": ":alarm_clock: Still not acknowledged: escalated to the escalation contact.",
        "fr": ":alarm_clock: Toujours pas prise en compte : remontée au contact d'escalade.",
    },
    "esc.state.acknowledged": {
        "en": "Acknowledged by <@{user}> {when}.",
        "fr": "Prise en compte par <@{user}> le {when}.",
    },
    "esc.state.scheduled": {
        "en": ":calendar: On the agenda of the arbitration committee of {committee}.",
        "fr": ":calendar: À l'ordre du jour du comité d'arbitrage de {committee}.",
    },
    "esc.state.decided": {
        "en": ":white_check_mark: Decided by <@{user}> {when}.",
        "fr": ":white_check_mark: Tranchée par <@{user}> le {when}.",
    },
    "esc.state.resolved": {
        "en": ":white_check_mark: Resolved by <@{user}> {when}.",
        "fr": ":white_check_mark: Résolue par <@{user}> le {when}.",
    },
    "esc.state.auto_resolved": {
        "en": ":white_check_mark: Closed by Baton {when}: the rule no longer holds.",
        "fr": ":white_check_mark: Close par Baton le {when} : la règle ne s'applique plus.",
    },
    "esc.button.acknowledge": {"en": "Acknowledge", "fr": "Prendre en compte"},
    "esc.button.schedule": {"en": "Schedule for committee", "fr": "Inscrire au comité"},
    "esc.button.decide": {"en": "Record decision", "fr": "Consigner la décision"},
    "esc.button.resolve": {"en": "Resolve", "fr": "Résoudre"},
    "esc.decision": {"en": "*Decision* (<@{user}>): {decision}", "fr": "*Décision* (<@{user}>) : {decision}"},
    "esc.rationale": {"en": "*Rationale:* {rationale}", "fr": "*Justification :* {rationale}"},
    "esc.follow_up": {
        "en": "*Follow-up:* {owner}, due {due}",
        "fr": "*Suivi :* {owner}, échéance {due}",
    },
    # re-escalation, in the alert's thread
    "esc.level1": {
        "en": ":alarm_clock: Nobody has acknowledged this escalation in {hours} h. {who}: you are "
        "accountable for this initiative; please acknowledge it or record a decision.",
        "fr": ":alarm_clock: Personne n'a pris en compte cette escalade en {hours} h. {who} : vous êtes "
        "garants de cette initiative ; prenez-la en compte ou consignez une décision.",
    },
    "esc.level1_nobody": {
        "en": ":alarm_clock: Nobody has acknowledged this escalation in {hours} h, and nobody is "
        "accountable (A) for this initiative: an admin should name someone.",
        "fr": ":alarm_clock: Personne n'a pris en compte cette escalade en {hours} h, et l'initiative "
        "n'a pas de garant (A) : un admin doit en désigner un.",
    },
    "esc.level2": {
        "en": ":rotating_light: Still no acknowledgement {hours} h later. {who}: this escalation needs you.",
        "fr": ":rotating_light: Toujours pas de prise en compte {hours} h plus tard. {who} : cette escalade "
        "a besoin de vous.",
    },
    # the decision DM
    "esc.dm.intro": {
        "en": ":scales: A decision was recorded on *{title}*.",
        "fr": ":scales: Une décision a été consignée pour *{title}*.",
    },
    "esc.dm.text": {"en": "Decision on {title}: {decision}", "fr": "Décision pour {title} : {decision}"},
    # the decision modal
    "esc.modal.title": {"en": "Record a decision", "fr": "Consigner une décision"},
    "esc.modal.submit": {"en": "Record", "fr": "Consigner"},
    "esc.modal.cancel": {"en": "Cancel", "fr": "Annuler"},
    "esc.modal.about": {"en": "*{title}* — {rule}", "fr": "*{title}* — {rule}"},
    "esc.modal.decision": {"en": "Decision", "fr": "Décision"},
    "esc.modal.rationale": {"en": "Rationale", "fr": "Justification"},
    "esc.modal.owner": {"en": "Follow-up owner", "fr": "Responsable du suivi"},
    "esc.modal.due": {"en": "Follow-up due date", "fr": "Échéance du suivi"},
    "esc.modal.error_decision": {"en": "Write what was decided.", "fr": "Écrivez ce qui a été décidé."},
    "esc.modal.error_past": {
        "en": "This date is in the past: pick today or a later day.",
        "fr": "Cette date est passée : choisissez aujourd'hui ou un jour suivant.",
    },
    "esc.modal.error_closed": {
        "en": "This escalation was closed meanwhile: nothing was recorded.",
        "fr": "Cette escalade a été close entre-temps : rien n'a été consigné.",
    },
    # refusals and answers
    "esc.refused": {
        "en": ":no_entry: Only the people accountable for *{title}* ({who}) and admins can act on its "
        "escalations.",
        "fr": ":no_entry: Seuls les garants de *{title}* ({who}) et les admins peuvent agir sur ses "
        "escalades.",
    },
    "esc.refused_admins": {
        "en": ":no_entry: *{title}* has nobody accountable (A): only admins can act on its escalations.",
        "fr": ":no_entry: *{title}* n'a pas de garant (A) : seuls les admins peuvent agir sur ses escalades.",
    },
    "esc.closed_decided": {
        "en": "This escalation is already decided: nothing changed.",
        "fr": "Cette escalade est déjà tranchée : rien n'a changé.",
    },
    "esc.closed_resolved": {
        "en": "This escalation is already resolved: nothing changed.",
        "fr": "Cette escalade est déjà résolue : rien n'a changé.",
    },
    "esc.gone": {"en": "This escalation no longer exists.", "fr": "Cette escalade n'existe plus."},
    # /okr escalate
    "esc.help.escalate": {
        "en": "raise an initiative to leadership, with the reason",
        "fr": "remonter une initiative à la direction, avec la raison",
    },
    "esc.usage": {
        "en": "Which initiative, and why? For example `/okr escalate ERP the vendor slipped by two months`.",
        "fr": "Quelle initiative, et pourquoi ? Par exemple `/okr escalate ERP le fournisseur a deux mois "
        "de retard`.",
    },
    "esc.no_channel": {
        "en": "There is no leadership channel to escalate to: an admin sets LEADERSHIP_CHANNEL or "
        "`leadership_channel` in the settings.",
        "fr": "Il n'y a pas de canal de direction où remonter : un admin règle LEADERSHIP_CHANNEL ou "
        "`leadership_channel` dans les réglages.",
    },
    "esc.refused_escalate": {
        "en": ":no_entry: Only the people responsible for *{title}* ({who}) and admins can escalate it.",
        "fr": ":no_entry: Seuls les responsables de *{title}* ({who}) et les admins peuvent la remonter.",
    },
    "esc.escalated": {
        "en": ":rotating_light: *{title}* is escalated to leadership in {channel}.",
        "fr": ":rotating_light: *{title}* est remontée à la direction dans {channel}.",
    },
    "esc.escalated_again": {
        "en": ":rotating_light: *{title}* was already escalated by hand: your reason is added to that alert.",
        "fr": ":rotating_light: *{title}* était déjà remontée à la main : votre raison est ajoutée à "
        "l'alerte.",
    },
    # /okr decisions
    "decisions.help": {
        "en": "the decision log, newest first (optionally for a quarter such as 2026-Q4)",
        "fr": "le journal des décisions, la plus récente d'abord (ou celles d'un trimestre, ex. 2026-Q4)",
    },
    "decisions.title": {"en": "Decision log", "fr": "Journal des décisions"},
    "decisions.title_quarter": {"en": "Decision log, {quarter}", "fr": "Journal des décisions, {quarter}"},
    "decisions.empty": {"en": "No decision recorded yet.", "fr": "Aucune décision consignée pour l'instant."},
    "decisions.line": {"en": "*{title}* · {when}{committee}", "fr": "*{title}* · {when}{committee}"},
    "decisions.committee": {"en": " · committee {committee}", "fr": " · comité {committee}"},
    "decisions.more_narrow": {
        "en": "…and {count} more not shown: narrow it with `/okr decisions QUARTER` "
        "(e.g. `/okr decisions 2026-Q1`), or `baton export` has them all.",
        "fr": "…et {count} de plus non affichées : précisez avec `/okr decisions TRIMESTRE` "
        "(par ex. `/okr decisions 2026-Q1`), ou `baton export` les contient toutes.",
    },
    "decisions.more": {
        "en": "And {count} older decisions: `baton export` has them all.",
        "fr": "Et {count} décisions plus anciennes : `baton export` les contient toutes.",
    },
    "decisions.bad_quarter": {
        "en": "“{text}” is not a quarter like 2026-Q4.",
        "fr": "« {text} » n'est pas un trimestre comme 2026-Q4.",
    },
    # the arbitration committee's agenda
    "committee.header": {"en": "Arbitration committee — {month}", "fr": "Comité d'arbitrage — {month}"},
    "committee.text": {
        "en": "Arbitration committee {month}: {count} escalation(s) on the agenda",
        "fr": "Comité d'arbitrage {month} : {count} escalade(s) à l'ordre du jour",
    },
    "committee.intro": {
        "en": "*{count} escalation(s) to arbitrate*, the weightiest and oldest first:",
        "fr": "*{count} escalade(s) à arbitrer*, les plus lourdes et les plus anciennes d'abord :",
    },
    "committee.empty": {
        "en": ":sparkles: Nothing to arbitrate this month: no escalation is open.",
        "fr": ":sparkles: Rien à arbitrer ce mois-ci : aucune escalade n'est ouverte.",
    },
    "committee.item": {
        "en": "*{number}. {title}* — {rule} · open for {days} day(s) · {state}",
        "fr": "*{number}. {title}* — {rule} · ouverte depuis {days} jour(s) · {state}",
    },
    "committee.scheduled": {"en": "scheduled for {committee}", "fr": "inscrite pour {committee}"},
    "committee.acknowledged": {"en": "acknowledged by <@{user}>", "fr": "prise en compte par <@{user}>"},
    "committee.unacknowledged": {"en": "not acknowledged", "fr": "pas encore prise en compte"},
    "committee.how": {
        "en": "Record each decision with *Record decision* on its alert; `/okr decisions` lists the log.",
        "fr": "Consignez chaque décision avec *Consigner la décision* sur son alerte ; `/okr decisions` "
        "affiche le journal.",
    },
    "committee.part": {"en": "Part {number} of {total}", "fr": "Partie {number} sur {total}"},
    # the quarterly review
    "review.header": {"en": "Quarterly review — {quarter}", "fr": "Revue trimestrielle — {quarter}"},
    "review.text": {
        "en": "Quarterly review {quarter}: {count} initiative(s), average score {average}",
        "fr": "Revue trimestrielle {quarter} : {count} initiative(s), score moyen {average}",
    },
    "review.summary": {
        "en": "*{count} initiative(s)* · average score *{average}* (over the {scored} with a KPI target; "
        "0 = baseline, 1 = target reached).",
        "fr": "*{count} initiative(s)* · score moyen *{average}* (sur les {scored} qui ont une cible "
        "de KPI ; 0 = point de départ, 1 = cible atteinte).",
    },
    "review.empty": {
        "en": "No initiative belonged to this quarter.",
        "fr": "Aucune initiative n'appartenait à ce trimestre.",
    },
    "review.title_department": {"en": "*{title}* ({department})", "fr": "*{title}* ({department})"},
    "review.kpi": {
        "en": "KPI {baseline} → target {target} → reached {reached} · score *{score}*",
        "fr": "KPI {baseline} → cible {target} → atteint {reached} · score *{score}*",
    },
    "review.decision": {"en": ":scales: {date}: {decision}", "fr": ":scales: {date} : {decision}"},
}
