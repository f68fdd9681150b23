"""Texts of the check-in, the update modal, help, App Home and the portfolio commands."""

MESSAGES: dict[str, dict[str, str]] = {
    # statuses
    "status.on_track": {"en": "On track", "fr": "En bonne voie"},
    "status.at_risk": {"en": "At risk", "fr": "À risque"},
    "status.off_track": {"en": "Off track", "fr": "Hors trajectoire"},
    "status.done": {"en": "Done", "fr": "Terminé"},
    "status.dropped": {"en": "Dropped", "fr": "Abandonné"},
    "status.none": {"en": "No update yet", "fr": "Pas encore de point"},
    # /okr help
    "help.intro": {
        "en": "*Baton* runs your strategy rituals in Slack.\n{commands}",
        "fr": "*Baton* anime vos rituels de pilotage dans Slack.\n{commands}",
    },
    "help.unknown": {
        "en": ":grey_question: I don't know `/okr {command}`. Here is what I can do:",
        "fr": ":grey_question: Je ne connais pas `/okr {command}`. Voici ce que je sais faire :",
    },
    "help.update": {
        "en": "record this week's status, KPI value, confidence, progress and notes for an initiative",
        "fr": "saisir le statut, la valeur du KPI, la confiance, l'avancement et des notes de la semaine",
    },
    "help.help": {"en": "show this help", "fr": "afficher cette aide"},
    "help.example": {
        "en": "Example: `/okr update ERP` opens the weekly update for the ERP deployment.",
        "fr": "Exemple : `/okr update ERP` ouvre le point hebdomadaire du déploiement ERP.",
    },
    "help.none": {
        "en": "There are no initiatives yet. An admin can import the roadmap with `baton import`.",
        "fr": "Il n'y a encore aucune initiative. Un administrateur peut importer la feuille de route "
        "avec `baton import`.",
    },
    "help.modal_failed": {
        "en": "Slack did not let me open the update form (it may have taken too long). Please try again.",
        "fr": "Slack n'a pas pu ouvrir le formulaire (le délai est peut-être dépassé). Réessayez.",
    },
    "help.who": {
        "en": "who has not updated this week yet",
        "fr": "qui n'a pas encore fait son point cette semaine",
    },
    "help.list": {
        "en": "the initiatives: all, yours, a department's or a quarter's",
        "fr": "les initiatives : toutes, les vôtres, celles d'une direction ou d'un trimestre",
    },
    "help.status": {
        "en": "an initiative's last check-ins, KPI trend, RACI and open escalations",
        "fr": "les derniers points d'une initiative, la tendance du KPI, son RACI et ses remontées ouvertes",
    },
    "help.role": {
        "en": "who holds each role (CFO, PMO…); admins change it",
        "fr": "qui tient chaque rôle (CFO, PMO…) ; les admins le modifient",
    },
    # portfolio commands
    "who.missing": {
        "en": "*Still to update for {cycle}* ({count}):",
        "fr": "*Points encore attendus pour {cycle}* ({count}) :",
    },
    "who.line": {"en": "• {who} — {titles}{more}", "fr": "• {who} — {titles}{more}"},
    "who.more": {"en": ", and {count} more", "fr": ", et {count} de plus"},
    "list.more_people": {"en": "…and {count} more.", "fr": "…et {count} de plus."},
    "who.everyone": {
        "en": ":tada: Everyone has updated for {cycle}.",
        "fr": ":tada: Tout le monde a fait son point pour {cycle}.",
    },
    "list.title": {"en": "*Initiatives* ({count})", "fr": "*Initiatives* ({count})"},
    "list.mine": {"en": "*Your initiatives* ({count})", "fr": "*Vos initiatives* ({count})"},
    "list.empty": {"en": "No initiatives to show.", "fr": "Aucune initiative à afficher."},
    "list.more_narrow": {
        "en": "…and {count} more not shown: narrow it with `/okr list team NAME`, `/okr list mine` "
        "or `/okr list quarter 2026-Q4`.",
        "fr": "…et {count} de plus non affichées : précisez avec `/okr list team NOM`, `/okr list mine` "
        "ou `/okr list quarter 2026-Q4`.",
    },
    "who.more_people": {
        "en": "…and {count} more people not shown.",
        "fr": "…et {count} personnes de plus non affichées.",
    },
    "list.more": {
        "en": "…and {count} more: `baton export` has them all.",
        "fr": "…et {count} de plus : `baton export` les donne toutes.",
    },
    "list.line": {
        "en": "{badge}  *{title}*\nOwners: {owners} · KPI {kpi} (target {target})",
        "fr": "{badge}  *{title}*\nResponsables : {owners} · KPI {kpi} (cible {target})",
    },
    "list.nobody": {"en": "nobody", "fr": "personne"},
    "status.usage": {
        "en": "Which initiative? For example `/okr status ERP`.",
        "fr": "Quelle initiative ? Par exemple `/okr status ERP`.",
    },
    "status.not_found": {
        "en": "No initiative matches “{query}”. `/okr list` shows them all.",
        "fr": "Aucune initiative ne correspond à « {query} ». `/okr list` les montre toutes.",
    },
    "status.ambiguous": {
        "en": "Several initiatives match “{query}”: {titles}. Be more precise.",
        "fr": "Plusieurs initiatives correspondent à « {query} » : {titles}. Précisez.",
    },
    "status.kpi": {
        "en": "*KPI* {kpi}: {current} (target {target}) {trend}",
        "fr": "*KPI* {kpi} : {current} (cible {target}) {trend}",
    },
    "status.history": {"en": "*Last check-ins*\n{lines}", "fr": "*Derniers points*\n{lines}"},
    "status.no_history": {"en": "_No check-in yet._", "fr": "_Aucun point pour l'instant._"},
    "status.checkin": {
        "en": "• {cycle} — {status} by <@{author}>{kpi}{comment}",
        "fr": "• {cycle} — {status} par <@{author}>{kpi}{comment}",
    },
    "roles.line": {"en": "• *{role}*: {members}", "fr": "• *{role}* : {members}"},
    "roles.none": {
        "en": "No roles yet: importing a roadmap creates them.",
        "fr": "Aucun rôle : l'import d'une feuille de route les crée.",
    },
    "roles.set": {
        "en": "*{role}* is now held by {members}.",
        "fr": "*{role}* est désormais tenu par {members}.",
    },
    "roles.usage": {
        "en": "Usage: `/okr role set NAME @person…` or `/okr role list`.",
        "fr": "Usage : `/okr role set NOM @personne…` ou `/okr role list`.",
    },
    "roles.bad_user": {
        "en": "“{who}” is not a Slack person: mention them with @.",
        "fr": "« {who} » n'est pas une personne Slack : mentionnez-la avec @.",
    },
    "refused.admins": {
        "en": ":no_entry: Only admins can {action}. Ask one of: {admins}.",
        "fr": ":no_entry: Seuls les admins peuvent {action}. Demandez à : {admins}.",
    },
    "refused.admins_none": {
        "en": ":no_entry: Only admins can {action} (the workspace's Slack admins, or BATON_ADMINS).",
        "fr": ":no_entry: Seuls les admins peuvent {action} (les admins Slack de l'espace, ou BATON_ADMINS).",
    },
    "action.roles": {"en": "change roles", "fr": "modifier les rôles"},
    "refused.update": {
        "en": ":no_entry: Only the people responsible for *{title}* ({who}) and admins can update it.",
        "fr": ":no_entry: Seuls les responsables de *{title}* ({who}) et les admins peuvent "
        "la mettre à jour.",
    },
    "refused.update_nobody": {
        "en": ":no_entry: *{title}* has no R or A yet: only admins can update it.",
        "fr": ":no_entry: *{title}* n'a pas encore de R ni de A : seuls les admins peuvent la mettre à jour.",
    },
    "help.archive": {
        "en": "archive an initiative (admins): it leaves prompts, lists and digests",
        "fr": "archiver une initiative (admins) : elle sort des points, listes et synthèses",
    },
    "help.import": {
        "en": "paste a roadmap table to import (admins), all or nothing",
        "fr": "coller une feuille de route à importer (admins), tout ou rien",
    },
    "action.archive": {"en": "archive initiatives", "fr": "archiver des initiatives"},
    "action.import": {"en": "import a roadmap", "fr": "importer une feuille de route"},
    "archive.done": {
        "en": ":file_cabinet: *{title}* is archived: no more prompts, and it leaves lists and digests.",
        "fr": ":file_cabinet: *{title}* est archivée : plus de demandes de point, "
        "et elle sort des listes et synthèses.",
    },
    "archive.usage": {
        "en": "Which initiative? For example `/okr archive ERP`.",
        "fr": "Quelle initiative ? Par exemple `/okr archive ERP`.",
    },
    "import.title": {"en": "Import a roadmap", "fr": "Importer une feuille"},
    "import.import": {"en": "Import", "fr": "Importer"},
    "import.table": {"en": "Roadmap", "fr": "Feuille de route"},
    "import.table_hint": {
        "en": "A Markdown table or CSV with the columns Initiative | Objective | KPI | Owner "
        "(English or French).",
        "fr": "Un tableau Markdown ou un CSV avec les colonnes Initiative | Objectif | KPI | Responsable.",
    },
    "import.quarter": {"en": "Quarter", "fr": "Trimestre"},
    "import.quarter_hint": {
        "en": "For rows without a Quarter column, e.g. 2026-Q4. Empty: this quarter.",
        "fr": "Pour les lignes sans colonne Trimestre, par ex. 2026-Q4. Vide : ce trimestre.",
    },
    "import.problems": {
        "en": "{count} problem(s), nothing imported: {problems}",
        "fr": "{count} problème(s), rien n'est importé : {problems}",
    },
    "import.bad_quarter": {"en": "A quarter like 2026-Q4.", "fr": "Un trimestre comme 2026-Q4."},
    "import.done": {
        "en": ":inbox_tray: Imported: {created} created, {updated} updated, {unchanged} unchanged; "
        "new roles: {roles}.",
        "fr": ":inbox_tray: Import : {created} créées, {updated} modifiées, {unchanged} inchangées ; "
        "nouveaux rôles : {roles}.",
    },
    # App Home
    "home.title": {"en": "Baton", "fr": "Baton"},
    "home.mine": {"en": "*Your initiatives* ({count})", "fr": "*Vos initiatives* ({count})"},
    "home.mine_none": {
        "en": "No initiative names you (or a role you hold) as responsible.",
        "fr": "Aucune initiative ne vous désigne (ni un rôle que vous tenez) comme responsable.",
    },
    "home.due": {
        "en": "Check-in {cycle}: {answered} of {total} answered.",
        "fr": "Point {cycle} : {answered} sur {total} renseignés.",
    },
    "home.update": {"en": "Update", "fr": "Mettre à jour"},
    "home.waiting": {"en": "*Waiting on you* ({count})", "fr": "*En attente de vous* ({count})"},
    "home.waiting_ack": {
        "en": "• :rotating_light: *{title}* — {rule}: to acknowledge",
        "fr": "• :rotating_light: *{title}* — {rule} : à prendre en compte",
    },
    "home.waiting_decide": {
        "en": "• :scales: *{title}* — {rule}: a decision to take",
        "fr": "• :scales: *{title}* — {rule} : une décision à prendre",
    },
    "home.this_week": {
        "en": "*This week*, as the digest states it:",
        "fr": "*Cette semaine*, comme l'énonce la synthèse :",
    },
    "home.overdue": {
        "en": "*Still to update for {cycle}* ({count}), among those asked",
        "fr": "*Points encore attendus pour {cycle}* ({count}), parmi les personnes sollicitées",
    },
    "home.overdue_line": {"en": "• <@{user}> — {titles}", "fr": "• <@{user}> — {titles}"},
    "home.overdue_nudged": {
        "en": "• <@{user}> — {titles} · _nudged_",
        "fr": "• <@{user}> — {titles} · _relancé(e)_",
    },
    "home.nudge": {"en": "Nudge", "fr": "Relancer"},
    "home.more": {"en": "…and {count} more", "fr": "…et {count} de plus"},
    "home.portfolio": {"en": "*Portfolio by department*", "fr": "*Portefeuille par direction*"},
    "home.department_none": {"en": "No department", "fr": "Sans direction"},
    "home.previous": {"en": "← Previous", "fr": "← Précédent"},
    "home.next": {"en": "Next →", "fr": "Suivant →"},
    "home.page": {"en": "Page {page} of {pages}", "fr": "Page {page} sur {pages}"},
    # the update modal
    "modal.title": {"en": "Weekly update", "fr": "Point hebdo"},
    "modal.save": {"en": "Save", "fr": "Enregistrer"},
    "modal.cancel": {"en": "Cancel", "fr": "Annuler"},
    "modal.unmatched": {
        "en": "No initiative matches “{query}”: choose one below.",
        "fr": "Aucune initiative ne correspond à « {query} » : choisissez-en une ci-dessous.",
    },
    "modal.initiative": {"en": "Initiative", "fr": "Initiative"},
    "modal.choose_initiative": {"en": "Choose an initiative", "fr": "Choisissez une initiative"},
    "modal.status": {"en": "Status", "fr": "Statut"},
    "modal.kpi": {"en": "KPI value", "fr": "Valeur du KPI"},
    "modal.kpi_in_unit": {
        "en": "KPI value ({unit}) — target {target}",
        "fr": "Valeur du KPI ({unit}) — cible {target}",
    },
    "modal.kpi_with_target": {"en": "KPI value — target {target}", "fr": "Valeur du KPI — cible {target}"},
    "modal.kpi_hint": {"en": "A number, e.g. 12 or 12,5.", "fr": "Un nombre, par exemple 12 ou 12,5."},
    "modal.kpi_summary": {
        "en": "{kpi}: now {current}, target {target}",
        "fr": "{kpi} : {current} à ce jour, cible {target}",
    },
    "modal.target_unset": {"en": "not set", "fr": "non fixée"},
    "modal.comment": {"en": "Highlights", "fr": "Faits marquants"},
    "modal.comment_placeholder": {
        "en": "What moved this week, what is next",
        "fr": "Ce qui a avancé cette semaine, et la suite",
    },
    "modal.error_initiative": {"en": "Choose an initiative.", "fr": "Choisissez une initiative."},
    "modal.error_status": {"en": "Choose a status.", "fr": "Choisissez un statut."},
    "modal.error_kpi": {
        "en": "Enter a number, such as 12 or 12,5 — without the unit, and at most 15 digits.",
        "fr": "Saisissez un nombre, par exemple 12 ou 12,5, sans l'unité et de 15 chiffres au plus.",
    },
    "modal.error_gone": {"en": "This initiative no longer exists.", "fr": "Cette initiative n'existe plus."},
    "modal.error_closed": {
        "en": "The {cycle} check-in has closed. Cancel, then use /okr update to record this week's update.",
        "fr": "Le point {cycle} est clos. Annulez, puis utilisez /okr update pour le point de cette semaine.",
    },
    # the confirmation DM
    "confirm.recorded": {
        "en": ":white_check_mark: Recorded your {cycle} update for *{title}*",
        "fr": ":white_check_mark: Votre point {cycle} sur *{title}* est enregistré",
    },
    "confirm.summary": {"en": "{status} · KPI {kpi}", "fr": "{status} · KPI {kpi}"},
    "confirm.text": {
        "en": "Recorded your {cycle} update for {title}: {summary}",
        "fr": "Votre point {cycle} sur {title} est enregistré : {summary}",
    },
    # the check-in DM
    "prompt.intro": {
        "en": ":wave: *Weekly check-in — {cycle}*\nHow are your initiatives doing? "
        "One click records a status; *Update details* adds the KPI value, confidence, progress and notes.",
        "fr": ":wave: *Point hebdomadaire — {cycle}*\nOù en sont vos initiatives ? "
        "Un clic enregistre un statut ; *Détailler* ajoute la valeur du KPI, la confiance, l'avancement "
        "et des notes.",
    },
    "prompt.reminder": {
        "en": ":alarm_clock: *Reminder — check-in {cycle}*\nStill waiting for an update on {count}:",
        "fr": ":alarm_clock: *Rappel — point {cycle}*\nEn attente d'un point sur {count} :",
    },
    "prompt.late": {
        "en": ":hourglass: This check-in is late: Baton could not send it on the check-in morning. "
        "Answer as usual.",
        "fr": ":hourglass: Ce point arrive tardivement : Baton n'a pas pu l'envoyer le matin prévu. "
        "Répondez comme d'habitude.",
    },
    "prompt.on_behalf": {
        "en": "You are answering for <@{owner}>, who is out of office.",
        "fr": "Vous répondez pour <@{owner}>, absent(e).",
    },
    "prompt.more": {
        "en": "…and {count} more: use `/okr update` for those.",
        "fr": "…et {count} de plus : utilisez `/okr update` pour celles-ci.",
    },
    "prompt.skipped": {
        "en": ":zzz: You skipped this week: no reminder will follow.",
        "fr": ":zzz: Vous passez cette semaine : aucun rappel ne suivra.",
    },
    "prompt.all_done": {
        "en": ":white_check_mark: All done for this week, thank you. You can edit until the cycle ends.",
        "fr": ":white_check_mark: Tout est à jour pour cette semaine, merci. "
        "Modifiable jusqu'à la fin du cycle.",
    },
    "prompt.kpi": {
        "en": "{kpi}: now {current} · target {target}",
        "fr": "{kpi} : {current} à ce jour · cible {target}",
    },
    "prompt.recorded": {"en": "{recorded} — from <@{author}>", "fr": "{recorded} — par <@{author}>"},
    "prompt.details": {"en": "Update details", "fr": "Détailler"},
    "prompt.edit": {"en": "Edit", "fr": "Modifier"},
    "prompt.snooze": {"en": ":zzz: Snooze 2 h", "fr": ":zzz: Rappel dans 2 h"},
    "prompt.skip": {"en": "Skip this week", "fr": "Passer cette semaine"},
    "prompt.away": {"en": ":palm_tree: Out of office…", "fr": ":palm_tree: Absent(e)…"},
    "prompt.text": {"en": "Check-in {cycle}: {titles}", "fr": "Point {cycle} : {titles}"},
    "prompt.text_more": {"en": "{titles} and {count} more", "fr": "{titles} et {count} de plus"},
    "prompt.text_reminder": {
        "en": "Reminder: check-in {cycle}: {titles}",
        "fr": "Rappel : point {cycle} : {titles}",
    },
    "prompt.all_answered": {"en": "all answered", "fr": "tout est renseigné"},
    "prompt.closed": {
        "en": "This check-in has closed. Use `/okr update` to record this week's update.",
        "fr": "Ce point est clos. Utilisez `/okr update` pour le point de cette semaine.",
    },
    "prompt.snoozed": {
        "en": ":zzz: Snoozed: I will remind you at {time}.",
        "fr": ":zzz: C'est noté : je vous le rappelle à {time}.",
    },
    # out of office
    "away.title": {"en": "Out of office", "fr": "Absence"},
    "away.until": {"en": "Away until", "fr": "Absent(e) jusqu'au"},
    "away.until_hint": {
        "en": "No check-in prompts until then, that day included.",
        "fr": "Aucune demande de point jusque-là, ce jour compris.",
    },
    "away.delegate": {"en": "Delegate", "fr": "Suppléant(e)"},
    "away.delegate_hint": {
        "en": "They will get your check-in prompts while you are away.",
        "fr": "Cette personne recevra vos demandes de point pendant votre absence.",
    },
    "away.confirmed": {
        "en": ":palm_tree: You are out of office until {until} included: no check-in prompts until then.",
        "fr": ":palm_tree: Vous êtes absent(e) jusqu'au {until} inclus : aucune demande de point d'ici là.",
    },
    "away.confirmed_delegate": {
        "en": ":palm_tree: You are out of office until {until} included: your check-in prompts go to "
        "<@{delegate}> meanwhile.",
        "fr": ":palm_tree: Vous êtes absent(e) jusqu'au {until} inclus : vos demandes de point vont à "
        "<@{delegate}> d'ici là.",
    },
    "away.delegate_told": {
        "en": ":palm_tree: <@{owner}> is out of office until {until} included and asked you to answer their "
        "check-ins meanwhile: the prompts come to you.",
        "fr": ":palm_tree: <@{owner}> est absent(e) jusqu'au {until} inclus et vous confie ses points "
        "d'ici là : les demandes vous arrivent.",
    },
    "away.error_date": {
        "en": "Choose the last day you are away.",
        "fr": "Choisissez votre dernier jour d'absence.",
    },
    "away.error_past": {
        "en": "The last day away cannot be before today.",
        "fr": "Le dernier jour d'absence ne peut pas être avant aujourd'hui.",
    },
    "away.error_self": {
        "en": "Choose someone else as your delegate, or nobody.",
        "fr": "Choisissez quelqu'un d'autre comme suppléant(e), ou personne.",
    },
}
