"""Texts of the weekly leadership and team digests, the chart and `baton report`."""

MESSAGES: dict[str, dict[str, str]] = {
    "digest.help": {
        "en": "preview this week's leadership digest (only you see it)",
        "fr": "aperçu du point hebdomadaire de la direction (vous seul le voyez)",
    },
    # the head of the digest
    "digest.header": {"en": "Weekly digest — {cycle}", "fr": "Synthèse hebdomadaire — {cycle}"},
    "digest.team_header": {
        "en": "{department} — weekly digest {cycle}",
        "fr": "{department} — point hebdomadaire {cycle}",
    },
    "digest.total": {"en": "*{count} initiatives* — {counts}", "fr": "*{count} initiatives* — {counts}"},
    "digest.count": {"en": "{badge}: *{count}* ({delta})", "fr": "{badge} : *{count}* ({delta})"},
    "digest.count_same": {"en": "{badge}: *{count}*", "fr": "{badge} : *{count}*"},
    "digest.empty": {
        "en": "No initiatives yet: import a roadmap with `baton import`.",
        "fr": "Aucune initiative pour l'instant : importez une feuille de route avec `baton import`.",
    },
    "digest.no_department": {"en": "No department", "fr": "Sans département"},
    "digest.changes": {
        "en": "{count} status change(s) since last week",
        "fr": "{count} changement(s) de statut depuis la semaine dernière",
    },
    "digest.no_changes": {
        "en": "_No status changed since last week._",
        "fr": "_Aucun statut n'a changé depuis la semaine dernière._",
    },
    "digest.red": {
        "en": "*Turned red this week* ({count})",
        "fr": "*Passées au rouge cette semaine* ({count})",
    },
    "digest.red_line": {
        "en": "• :red_circle: {title} (was {before})",
        "fr": "• :red_circle: {title} (avant : {before})",
    },
    "digest.decisions_needed": {
        "en": "*Decisions needed* ({count})",
        "fr": "*Décisions attendues* ({count})",
    },
    "digest.decision_needed_line": {
        "en": "• :raising_hand: {title} — {text}",
        "fr": "• :raising_hand: {title} — {text}",
    },
    "digest.escalations": {
        "en": "*Escalations waiting* ({count}, most urgent first)",
        "fr": "*Escalades en attente* ({count}, les plus urgentes d'abord)",
    },
    "digest.escalation_line": {
        "en": "• :rotating_light: {title} — {rule}, {state} since {cycle}{level}",
        "fr": "• :rotating_light: {title} — {rule}, {state} depuis {cycle}{level}",
    },
    "digest.level": {"en": "level {level}", "fr": "niveau {level}"},
    "digest.more": {"en": " · _{count} more in the thread_", "fr": " · _{count} de plus dans le fil_"},
    "digest.names_more": {"en": "{names} and {count} more", "fr": "{names} et {count} de plus"},
    "digest.missing": {
        "en": "*Asked, not answered* ({count}): {people}",
        "fr": "*Sollicités, sans réponse* ({count}) : {people}",
    },
    "digest.missing_name_streak": {
        "en": "{user} ({count} weeks)",
        "fr": "{user} ({count} semaines)",
    },
    "digest.missing_name_streak_cap": {
        "en": "{user} ({count}+ weeks)",
        "fr": "{user} ({count} semaines ou plus)",
    },
    "digest.everyone": {
        "en": ":tada: Everyone who was asked has answered this week.",
        "fr": ":tada: Toutes les personnes sollicitées ont répondu cette semaine.",
    },
    "digest.not_asked": {
        "en": ":zzz: {count} owner(s) not asked this week, so not chased: {reasons}",
        "fr": ":zzz: {count} responsable(s) non sollicité(s) cette semaine, donc non relancé(s) : {reasons}",
    },
    "digest.why_count": {"en": "{count} {why}", "fr": "{count} {why}"},
    "unasked.away": {"en": "out of office", "fr": "absent(e)"},
    "unasked.holiday": {"en": "on holiday", "fr": "jour férié"},
    "unasked.skipped": {"en": "skipped this week", "fr": "a passé cette semaine"},
    "unasked.new": {
        "en": "the initiative came after their check-in",
        "fr": "l'initiative est arrivée après leur point",
    },
    "unasked.not_yet": {"en": "their check-in has not come yet", "fr": "leur point n'est pas encore arrivé"},
    "unasked.not_sent": {
        "en": "Baton could not send their check-in",
        "fr": "Baton n'a pas pu envoyer leur point",
    },
    "digest.decisions": {
        "en": ":white_check_mark: {count} decision(s) taken since the last digest: {titles}",
        "fr": ":white_check_mark: {count} décision(s) prise(s) depuis le dernier point : {titles}",
    },
    "digest.suspicious": {
        "en": ":mag: {count} update(s) to double-check, marked in the thread",
        "fr": ":mag: {count} point(s) à vérifier, signalé(s) dans le fil",
    },
    "digest.thread_note": {
        "en": ":thread: Each initiative, by department, follows in the thread ({count} message(s)).",
        "fr": ":thread: Chaque initiative, par département, suit dans le fil ({count} message(s)).",
    },
    "digest.continued": {"en": "{department} (continued)", "fr": "{department} (suite)"},
    "digest.flag.green_behind": {
        "en": "on track, but the KPI is behind its plan",
        "fr": "en bonne voie, mais le KPI est en retard sur le plan",
    },
    "digest.flag.green_flat": {
        "en": "on track, but the KPI has not moved in three weeks",
        "fr": "en bonne voie, mais le KPI n'a pas bougé depuis trois semaines",
    },
    "digest.flag.same_text": {
        "en": "word for word last week's comment",
        "fr": "commentaire identique à celui de la semaine dernière",
    },
    "digest.undelivered": {
        "en": ":warning: {count} message(s) could not be delivered: {items}",
        "fr": ":warning: {count} message(s) n'ont pas pu être remis : {items}",
    },
    "digest.undelivered_item": {
        "en": "{kind} to {recipient} ({error})",
        "fr": "{kind} à {recipient} ({error})",
    },
    "digest.undelivered_more": {"en": "{items}, and {count} more", "fr": "{items}, et {count} autre(s)"},
    "digest.unknown_error": {"en": "unknown error", "fr": "erreur inconnue"},
    # one initiative
    "digest.item.title": {"en": "{badge}  *{title}*", "fr": "{badge}  *{title}*"},
    "digest.item.title_changed": {
        "en": "{badge}  *{title}*  ({before} → {after})",
        "fr": "{badge}  *{title}*  ({before} → {after})",
    },
    "digest.item.owners": {"en": "Owner: {owners}", "fr": "Responsable : {owners}"},
    "digest.item.nobody": {"en": "no owner", "fr": "aucun responsable"},
    "digest.item.carried": {
        "en": "no new value this week (last one carried)",
        "fr": "pas de nouvelle valeur cette semaine (la dernière est reprise)",
    },
    "digest.item.kpi": {
        "en": "{kpi}: {current} (target {target}) {trend}",
        "fr": "{kpi} : {current} (cible {target}) {trend}",
    },
    "digest.pace.on_pace": {
        "en": ":white_check_mark: on pace (plan {planned})",
        "fr": ":white_check_mark: dans le rythme (plan {planned})",
    },
    "digest.pace.behind": {
        "en": ":small_red_triangle_down: behind plan ({planned})",
        "fr": ":small_red_triangle_down: en retard sur le plan ({planned})",
    },
    "digest.item.projection": {
        "en": "trend: {value} by {due}",
        "fr": "tendance : {value} au {due}",
    },
    "digest.item.last": {
        "en": "Last update {cycle} by <@{author}>: {status}",
        "fr": "Dernier point {cycle} par <@{author}> : {status}",
    },
    "digest.item.no_update": {"en": "_No update yet._", "fr": "_Pas encore de point._"},
    "digest.item.missed": {
        "en": ":hourglass: no update for {count} week(s)",
        "fr": ":hourglass: aucun point depuis {count} semaine(s)",
    },
    "digest.item.unanswered": {
        "en": ":hourglass: Asked, no answer yet: {people}",
        "fr": ":hourglass: Sollicité(s), sans réponse : {people}",
    },
    "digest.item.escalation": {
        "en": ":rotating_light: Escalation: {rule}, {state} since {cycle}{level}{reason}",
        "fr": ":rotating_light: Escalade : {rule}, {state} depuis {cycle}{level}{reason}",
    },
    "digest.item.decided": {
        "en": ":white_check_mark: Decided: {decision} (<@{by}>, {date})",
        "fr": ":white_check_mark: Décidé : {decision} (<@{by}>, le {date})",
    },
    "digest.item.decision_follow_up": {
        "en": ":white_check_mark: Decided: {decision} (<@{by}>, {date}); follow-up: {owner}, due {due}",
        "fr": ":white_check_mark: Décidé : {decision} (<@{by}>, le {date}) ; suivi : {owner}, pour le {due}",
    },
    "digest.item.decision": {
        "en": ":raising_hand: Decision needed: {text}",
        "fr": ":raising_hand: Décision attendue : {text}",
    },
    "digest.item.flag": {"en": ":mag: Double-check: {why}", "fr": ":mag: À vérifier : {why}"},
    "digest.details": {"en": "Details", "fr": "Détails"},
    # splitting, fallback text, preview
    "digest.part": {"en": "Part {number} of {total}", "fr": "Partie {number} sur {total}"},
    "digest.fallback": {
        "en": "Weekly digest {cycle}: {tally}",
        "fr": "Synthèse hebdomadaire {cycle} : {tally}",
    },
    "digest.fallback_team": {
        "en": "{department} weekly digest {cycle}: {tally}",
        "fr": "Synthèse hebdomadaire {department} {cycle} : {tally}",
    },
    "digest.fallback_empty": {"en": "no initiatives yet", "fr": "aucune initiative"},
    "digest.tally": {"en": "{count} {status}", "fr": "{count} {status}"},
    "digest.tally_none": {"en": "{count} without update", "fr": "{count} sans point"},
    "digest.fallback_part": {
        "en": "Weekly digest {cycle}, part {number} of {total}",
        "fr": "Synthèse hebdomadaire {cycle}, partie {number} sur {total}",
    },
    "digest.preview_more": {
        "en": "_Preview: once posted, the chart shows here and {count} message(s) of detail follow in the "
        "thread._",
        "fr": "_Aperçu : à la publication, le graphique s'affiche ici et {count} message(s) de détail "
        "suivent dans le fil._",
    },
    # escalation rules and states, as the digest names them
    "digest.rule.off_track": {"en": "off track", "fr": "hors trajectoire"},
    "digest.rule.at_risk_streak": {"en": "at risk for weeks", "fr": "à risque depuis des semaines"},
    "digest.rule.confidence_drop": {"en": "confidence dropped", "fr": "confiance en baisse"},
    "digest.rule.projection_miss": {"en": "trend misses the target", "fr": "tendance sous la cible"},
    "digest.rule.silent": {"en": "no updates", "fr": "sans nouvelles"},
    "digest.rule.decision_needed": {"en": "decision needed", "fr": "décision attendue"},
    "digest.rule.manual": {"en": "escalated by hand", "fr": "escalade manuelle"},
    "digest.state.open": {"en": "open", "fr": "ouverte"},
    "digest.state.acknowledged": {"en": "acknowledged", "fr": "prise en compte"},
    "digest.state.scheduled": {"en": "on the committee's agenda", "fr": "à l'ordre du jour du comité"},
    # the chart and `baton report`
    "digest.chart.title": {"en": "Portfolio {quarter}", "fr": "Portefeuille {quarter}"},
    "digest.chart.status": {
        "en": "Initiatives by status, week by week",
        "fr": "Initiatives par statut, semaine par semaine",
    },
    "digest.chart.progress": {
        "en": "KPI progress toward target (furthest behind first)",
        "fr": "Progression des KPI vers la cible (les plus en retard d'abord)",
    },
    "digest.chart.others": {
        "en": "+ {count} others (median {median} %)",
        "fr": "+ {count} autres (médiane {median} %)",
    },
    "digest.chart.no_kpi": {
        "en": "No KPI with a baseline and a target yet",
        "fr": "Aucun KPI avec référence et cible",
    },
    "digest.chart.alt": {
        "en": "Chart: initiatives by status each week of {quarter}, and KPI progress toward target.",
        "fr": "Graphique : initiatives par statut chaque semaine de {quarter}, et progression des KPI.",
    },
    "digest.report.title": {"en": "Baton report — {quarter}", "fr": "Rapport Baton — {quarter}"},
    "digest.report.generated": {"en": "As of {cycle}", "fr": "Au {cycle}"},
    "digest.report.initiative": {"en": "Initiative", "fr": "Initiative"},
    "digest.report.department": {"en": "Department", "fr": "Département"},
    "digest.report.status": {"en": "Status", "fr": "Statut"},
    "digest.report.kpi": {"en": "KPI", "fr": "KPI"},
    "digest.report.target": {"en": "Target", "fr": "Cible"},
    "digest.report.progress": {"en": "Progress", "fr": "Progression"},
    "digest.report.pace": {"en": "Pace", "fr": "Rythme"},
    "digest.report.trend": {"en": "Last 8 weeks", "fr": "8 dernières semaines"},
    "digest.report.on_pace": {"en": "on pace", "fr": "dans le rythme"},
    "digest.report.behind": {"en": "behind", "fr": "en retard"},
    "digest.report.unknown": {"en": "–", "fr": "–"},
}
