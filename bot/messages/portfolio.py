"""Texts of `/okr new`, `edit`, `settings`, `digest` preview and the other portfolio commands."""

MESSAGES: dict[str, dict[str, str]] = {
    # refusals of a submission or a click whose sender may not act (plain text: modal errors have no mrkdwn)
    "access.admins_only": {
        "en": "Only admins can {action}. Nothing was saved.",
        "fr": "Seuls les admins peuvent {action}. Rien n'a été enregistré.",
    },
    "access.not_yours": {
        "en": "Only this initiative's R and A people and admins can edit it. Nothing was saved; "
        "/okr status says who they are.",
        "fr": "Seuls les responsables R et A de cette initiative et les admins peuvent la modifier. Rien n'a "
        "été enregistré ; /okr status dit qui ils sont.",
    },
    "access.not_your_prompt": {
        "en": "This button is not on a check-in Baton sent you, so nothing was recorded. "
        "Use /okr update for your own initiatives.",
        "fr": "Ce bouton n'est pas sur un point que Baton vous a envoyé : rien n'a été enregistré. "
        "Utilisez /okr update pour vos propres initiatives.",
    },
    "update.refused_in_modal": {
        "en": "You cannot update this initiative: only its R and A people and admins can. "
        "`/okr status` says who they are.",
        "fr": "Vous ne pouvez pas mettre à jour cette initiative : seuls ses responsables R et A et les "
        "admins le peuvent. `/okr status` dit qui ils sont.",
    },
    "update.none_yours": {
        "en": ":no_entry: You cannot update any of these initiatives: only their R and A people (directly or "
        "through a role) and admins can. `/okr list mine` shows yours.",
        "fr": ":no_entry: Vous ne pouvez mettre à jour aucune de ces initiatives : seuls leurs responsables "
        "R et A (directement ou par un rôle) et les admins le peuvent. `/okr list mine` montre les vôtres.",
    },
    # the update modal, beyond status, KPI and highlights
    "modal.confidence": {"en": "Confidence", "fr": "Confiance"},
    "modal.confidence_placeholder": {
        "en": "How sure are you of reaching the target?",
        "fr": "Quelle confiance dans l'atteinte de la cible ?",
    },
    "modal.confidence_1": {"en": "1 — Very low", "fr": "1 — Très faible"},
    "modal.confidence_2": {"en": "2 — Low", "fr": "2 — Faible"},
    "modal.confidence_3": {"en": "3 — Medium", "fr": "3 — Moyenne"},
    "modal.confidence_4": {"en": "4 — High", "fr": "4 — Élevée"},
    "modal.confidence_5": {"en": "5 — Very high", "fr": "5 — Très élevée"},
    "modal.progress": {"en": "Progress (%)", "fr": "Avancement (%)"},
    "modal.next_steps": {"en": "Next steps", "fr": "Prochaines étapes"},
    "modal.next_steps_hint": {"en": "What happens next, and when", "fr": "La suite, et quand"},
    "modal.blockers": {"en": "Blockers", "fr": "Points de blocage"},
    "modal.blockers_hint": {"en": "What is in the way", "fr": "Ce qui bloque"},
    "modal.decision": {"en": "Decision needed", "fr": "Décision attendue"},
    "modal.decision_hint": {
        "en": "The arbitration you need from leadership, if any",
        "fr": "L'arbitrage attendu de la direction, s'il y en a un",
    },
    "modal.options": {"en": "Options at stake", "fr": "Options en jeu"},
    "modal.options_hint": {"en": "One option per line", "fr": "Une option par ligne"},
    "modal.error_progress": {
        "en": "Enter a whole percentage from 0 to 100, such as 60.",
        "fr": "Saisissez un pourcentage entier de 0 à 100, par exemple 60.",
    },
    "modal.error_decision": {
        "en": "Say which decision is needed, or clear the options at stake.",
        "fr": "Précisez la décision attendue, ou videz les options en jeu.",
    },
    # what a check-in says, in the confirmation DM and /okr status
    "confirm.confidence_progress": {
        "en": "Confidence {confidence}/5 · progress {progress} %",
        "fr": "Confiance {confidence}/5 · avancement {progress} %",
    },
    "confirm.highlights": {"en": "*Highlights*\n{text}", "fr": "*Faits marquants*\n{text}"},
    "confirm.next_steps": {"en": "*Next steps*\n{text}", "fr": "*Prochaines étapes*\n{text}"},
    "confirm.blockers": {"en": "*Blockers*\n{text}", "fr": "*Points de blocage*\n{text}"},
    "confirm.decision": {"en": "*Decision needed*\n{text}", "fr": "*Décision attendue*\n{text}"},
    "confirm.options": {"en": "*Options at stake*\n{text}", "fr": "*Options en jeu*\n{text}"},
    # /okr new and /okr edit
    "initiative.new_title": {"en": "New initiative", "fr": "Nouvelle initiative"},
    "initiative.edit_title": {"en": "Edit initiative", "fr": "Modifier l'initiative"},
    "initiative.title_label": {"en": "Initiative", "fr": "Initiative"},
    "initiative.objective_label": {
        "en": "Objective (the same text in the same quarter is the same objective)",
        "fr": "Objectif (le même texte dans le même trimestre est le même objectif)",
    },
    "initiative.department_label": {"en": "Department", "fr": "Direction"},
    "initiative.quarter_label": {"en": "Quarter, e.g. 2026-Q4", "fr": "Trimestre, par ex. 2026-Q4"},
    "initiative.kpi_name_label": {"en": "KPI", "fr": "KPI"},
    "initiative.kpi_unit_label": {"en": "KPI unit (%, days, k€…)", "fr": "Unité du KPI (%, jours, k€…)"},
    "initiative.baseline_label": {"en": "KPI baseline", "fr": "Valeur initiale du KPI"},
    "initiative.target_label": {"en": "KPI target", "fr": "Cible du KPI"},
    "initiative.direction_label": {"en": "Direction", "fr": "Sens"},
    "initiative.direction_up": {"en": "Higher is better", "fr": "Plus haut, c'est mieux"},
    "initiative.direction_down": {"en": "Lower is better", "fr": "Plus bas, c'est mieux"},
    "initiative.due_label": {"en": "Due date", "fr": "Échéance"},
    "initiative.people_R": {"en": "Responsible: people", "fr": "Responsable (R) : personnes"},
    "initiative.roles_R": {"en": "Responsible: roles", "fr": "Responsable (R) : rôles"},
    "initiative.people_A": {"en": "Accountable: people", "fr": "Approbateur (A) : personnes"},
    "initiative.roles_A": {"en": "Accountable: roles", "fr": "Approbateur (A) : rôles"},
    "initiative.people_C": {"en": "Consulted: people", "fr": "Consulté (C) : personnes"},
    "initiative.roles_C": {"en": "Consulted: roles", "fr": "Consulté (C) : rôles"},
    "initiative.people_I": {"en": "Informed: people", "fr": "Informé (I) : personnes"},
    "initiative.roles_I": {"en": "Informed: roles", "fr": "Informé (I) : rôles"},
    "initiative.roles_placeholder": {"en": "CFO, PMO", "fr": "CFO, PMO"},
    "initiative.roles_hint": {
        "en": "Role names, comma-separated; `/okr role list` shows them. A role follows its current holders.",
        "fr": "Noms de rôles, séparés par des virgules ; `/okr role list` les montre. "
        "Un rôle suit ses titulaires du moment.",
    },
    "initiative.error_required": {"en": "This field is required.", "fr": "Ce champ est obligatoire."},
    "initiative.error_roles": {
        "en": "Unknown role(s): {names}. Known roles: {known}.",
        "fr": "Rôle(s) inconnu(s) : {names}. Rôles existants : {known}.",
    },
    "initiative.error_no_owner": {
        "en": "Name at least one responsible person or role.",
        "fr": "Indiquez au moins une personne ou un rôle responsable.",
    },
    "initiative.error_duplicate": {
        "en": "An initiative with this title already exists in {quarter}.",
        "fr": "Une initiative de ce nom existe déjà en {quarter}.",
    },
    "initiative.error_gone": {
        "en": "This initiative no longer exists.",
        "fr": "Cette initiative n'existe plus.",
    },
    "initiative.created": {
        "en": ":sparkles: *{title}* is created. Its owners will be asked for updates at the next check-in.",
        "fr": ":sparkles: *{title}* est créée. Ses responsables seront sollicités au prochain point.",
    },
    "initiative.updated": {
        "en": ":pencil2: *{title}* is saved.",
        "fr": ":pencil2: *{title}* est enregistrée.",
    },
    "action.new": {"en": "create initiatives", "fr": "créer des initiatives"},
    "refused.edit": {
        "en": ":no_entry: Only the people responsible for *{title}* ({who}) and admins can edit it.",
        "fr": ":no_entry: Seuls les responsables de *{title}* ({who}) et les admins peuvent la modifier.",
    },
    "refused.edit_nobody": {
        "en": ":no_entry: *{title}* has no R or A yet: only admins can edit it.",
        "fr": ":no_entry: *{title}* n'a pas encore de R ni de A : seuls les admins peuvent la modifier.",
    },
    "edit.usage": {
        "en": "Which initiative? For example `/okr edit ERP`.",
        "fr": "Quelle initiative ? Par exemple `/okr edit ERP`.",
    },
    # an ambiguous name: a picker rather than a guess
    "pick.prompt": {
        "en": "Several initiatives match “{query}”: which one?",
        "fr": "Plusieurs initiatives correspondent à « {query} » : laquelle ?",
    },
    "pick.placeholder": {"en": "Choose an initiative", "fr": "Choisissez une initiative"},
    # /okr status
    "status.raci_R": {"en": "*R* (responsible): {who}", "fr": "*R* (responsable) : {who}"},
    "status.raci_A": {"en": "*A* (accountable): {who}", "fr": "*A* (approbateur) : {who}"},
    "status.raci_C": {"en": "*C* (consulted): {who}", "fr": "*C* (consulté) : {who}"},
    "status.raci_I": {"en": "*I* (informed): {who}", "fr": "*I* (informé) : {who}"},
    "status.role_held": {"en": "{role} ({holders})", "fr": "{role} ({holders})"},
    "status.deactivated": {"en": "{who} (deactivated)", "fr": "{who} (désactivé)"},
    "status.confidence": {"en": "confidence {confidence}/5", "fr": "confiance {confidence}/5"},
    "status.progress": {"en": "progress {progress} %", "fr": "avancement {progress} %"},
    "status.escalations": {
        "en": "*Open escalations* ({count})\n{lines}",
        "fr": "*Remontées ouvertes* ({count})\n{lines}",
    },
    "status.escalation": {
        "en": "• {rule} — {state} since {cycle}: {reason}",
        "fr": "• {rule} — {state} depuis {cycle} : {reason}",
    },
    "status.escalation_open": {"en": "open", "fr": "ouverte"},
    "status.escalation_acknowledged": {"en": "acknowledged", "fr": "prise en compte"},
    "status.escalation_scheduled": {"en": "on the committee's agenda", "fr": "à l'ordre du jour du comité"},
    # /okr list
    "list.team": {"en": "*Initiatives of {team}* ({count})", "fr": "*Initiatives de {team}* ({count})"},
    "list.quarter": {
        "en": "*Initiatives of {quarter}* ({count})",
        "fr": "*Initiatives de {quarter}* ({count})",
    },
    "list.usage": {
        "en": "Usage: `/okr list`, `/okr list mine`, `/okr list team Finance` "
        "or `/okr list quarter 2026-Q4`.",
        "fr": "Usage : `/okr list`, `/okr list mine`, `/okr list team Finance` "
        "ou `/okr list quarter 2026-Q4`.",
    },
    # /okr settings
    "action.settings": {"en": "change the settings", "fr": "modifier les réglages"},
    "settings.title": {"en": "Baton settings", "fr": "Réglages de Baton"},
    "settings.timezone": {
        "en": "Time zone (e.g. Europe/Paris)",
        "fr": "Fuseau horaire (par ex. Europe/Paris)",
    },
    "settings.checkin_day": {"en": "Check-in day", "fr": "Jour du point"},
    "settings.checkin_hour": {
        "en": "Check-in hour (each owner's time)",
        "fr": "Heure du point (celle de chacun)",
    },
    "settings.reminder_delay": {"en": "Reminder after (hours)", "fr": "Rappel après (heures)"},
    "settings.digest_day": {"en": "Digest day", "fr": "Jour de la synthèse"},
    "settings.digest_hour": {"en": "Digest hour", "fr": "Heure de la synthèse"},
    "settings.language": {"en": "Workspace language", "fr": "Langue de l'espace"},
    "settings.language_en": {"en": "English", "fr": "Anglais"},
    "settings.language_fr": {"en": "French", "fr": "Français"},
    "settings.leadership_channel": {"en": "Leadership channel", "fr": "Canal de la direction"},
    "settings.team_channel": {"en": "Team channel: {department}", "fr": "Canal d'équipe : {department}"},
    "settings.teams_left_out": {
        "en": "{count} department(s) not shown: set their channels with "
        "`baton settings set team_channels=…`.",
        "fr": "{count} direction(s) non affichée(s) : réglez leur canal avec "
        "`baton settings set team_channels=…`.",
    },
    "settings.escalation_sla": {
        "en": "Escalation acknowledged within (hours)",
        "fr": "Délai de prise en compte d'une remontée (heures)",
    },
    "settings.escalation_contact": {"en": "Last escalation contact", "fr": "Dernier recours des remontées"},
    "settings.committee_day": {"en": "Arbitration committee: day", "fr": "Comité d'arbitrage : jour"},
    "settings.committee_week": {
        "en": "Arbitration committee: week of the month",
        "fr": "Comité d'arbitrage : semaine du mois",
    },
    "settings.committee_hour": {"en": "Arbitration committee: hour", "fr": "Comité d'arbitrage : heure"},
    "settings.weekday_mon": {"en": "Monday", "fr": "Lundi"},
    "settings.weekday_tue": {"en": "Tuesday", "fr": "Mardi"},
    "settings.weekday_wed": {"en": "Wednesday", "fr": "Mercredi"},
    "settings.weekday_thu": {"en": "Thursday", "fr": "Jeudi"},
    "settings.weekday_fri": {"en": "Friday", "fr": "Vendredi"},
    "settings.weekday_sat": {"en": "Saturday", "fr": "Samedi"},
    "settings.weekday_sun": {"en": "Sunday", "fr": "Dimanche"},
    "settings.week_1": {"en": "First", "fr": "Première"},
    "settings.week_2": {"en": "Second", "fr": "Deuxième"},
    "settings.week_3": {"en": "Third", "fr": "Troisième"},
    "settings.week_4": {"en": "Fourth", "fr": "Quatrième"},
    "settings.week_5": {"en": "Last", "fr": "Dernière"},
    "settings.saved": {
        "en": ":gear: Settings saved. The next check-ins and digests follow them.",
        "fr": ":gear: Réglages enregistrés. Les prochains points et synthèses les suivent.",
    },
    "settings.error_timezone": {
        "en": "A time zone of the tz database, such as Europe/Paris or America/New_York.",
        "fr": "Un fuseau de la base tz, par exemple Europe/Paris ou America/New_York.",
    },
    "settings.error_checkin_day": {"en": "Choose a day.", "fr": "Choisissez un jour."},
    "settings.error_digest_day": {"en": "Choose a day.", "fr": "Choisissez un jour."},
    "settings.error_committee_day": {"en": "Choose a day.", "fr": "Choisissez un jour."},
    "settings.error_checkin_hour": {"en": "Choose an hour.", "fr": "Choisissez une heure."},
    "settings.error_digest_hour": {"en": "Choose an hour.", "fr": "Choisissez une heure."},
    "settings.error_committee_hour": {"en": "Choose an hour.", "fr": "Choisissez une heure."},
    "settings.error_committee_week": {"en": "Choose a week.", "fr": "Choisissez une semaine."},
    "settings.error_reminder_delay_hours": {
        "en": "A whole number of hours from 0 to 168.",
        "fr": "Un nombre entier d'heures, de 0 à 168.",
    },
    "settings.error_escalation_sla_hours": {
        "en": "A whole number of hours from 1 to 720.",
        "fr": "Un nombre entier d'heures, de 1 à 720.",
    },
    "settings.error_language": {"en": "Choose a language.", "fr": "Choisissez une langue."},
    "settings.error_leadership_channel": {"en": "Choose a channel.", "fr": "Choisissez un canal."},
    "settings.error_team_channels": {"en": "Choose a channel.", "fr": "Choisissez un canal."},
    "settings.error_escalation_contact": {"en": "Choose a person.", "fr": "Choisissez une personne."},
    # /okr help
    "help.new": {
        "en": "create an initiative with its KPI and RACI (admins)",
        "fr": "créer une initiative avec son KPI et son RACI (admins)",
    },
    "help.edit": {
        "en": "change an initiative, its KPI or its RACI (its R and A, and admins)",
        "fr": "modifier une initiative, son KPI ou son RACI (ses R et A, et les admins)",
    },
    "help.settings": {
        "en": "time zone, check-in and digest days and hours, channels, language, escalations (admins)",
        "fr": "fuseau, jours et heures des points et synthèses, canaux, langue, remontées (admins)",
    },
    # /okr import: owners named by e-mail
    "import.looking_up": {
        "en": ":hourglass_flowing_sand: Looking up the owners named by e-mail in Slack…",
        "fr": ":hourglass_flowing_sand: Recherche dans Slack des responsables désignés par e-mail…",
    },
    "import.failed": {
        "en": ":warning: {count} problem(s), nothing imported:",
        "fr": ":warning: {count} problème(s), rien n'est importé :",
    },
    "import.slack_failed": {
        "en": "Slack could not be asked who the e-mail addresses belong to; try again in a moment.",
        "fr": "Impossible de demander à Slack à qui sont les adresses e-mail ; réessayez dans un instant.",
    },
    # App Home, for admins
    "home.changes": {
        "en": "*What changed in {cycle}* ({count})",
        "fr": "*Ce qui a changé en {cycle}* ({count})",
    },
    "home.change": {"en": "• *{title}*: {before} → {now}", "fr": "• *{title}* : {before} → {now}"},
    "home.changes_none": {
        "en": "No initiative has changed status since last week.",
        "fr": "Aucune initiative n'a changé de statut depuis la semaine dernière.",
    },
}
