"""Texts of `/okr new`, `edit`, `settings`, `digest` preview and the other portfolio commands."""

MESSAGES: dict[str, dict[str, str]] = {
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
}
