"""Every action_id, callback_id and block_id Baton uses, in one place."""

# Modals
UPDATE_MODAL = "checkin_update"

# Blocks and actions of the update modal
INITIATIVE_BLOCK = "initiative"
INITIATIVE_ACTION = "initiative_select"
STATUS_BLOCK = "status"
STATUS_ACTION = "status_select"
KPI_BLOCK = "kpi_value"
KPI_ACTION = "kpi_value_input"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "comment_input"

# The check-in DM: one message per owner per cycle
PROMPT_ITEM_BLOCK = "prompt_item:"  # + initiative id: the block that shows an initiative
PROMPT_REMINDER_BLOCK = "prompt_reminder"
PROMPT_ANSWER = "prompt_answer:"  # + status: one-click answers
PROMPT_DETAILS = "prompt_details"
PROMPT_SNOOZE = "prompt_snooze"
PROMPT_SKIP = "prompt_skip"
PROMPT_AWAY = "prompt_away"

# Out of office modal
AWAY_MODAL = "away"
AWAY_UNTIL_BLOCK = "away_until"
AWAY_UNTIL_ACTION = "away_until_date"
AWAY_DELEGATE_BLOCK = "away_delegate"
AWAY_DELEGATE_ACTION = "away_delegate_user"

# App Home
HOME_UPDATE = "home_update"
HOME_NUDGE = "home_nudge"  # the strategy office's reminder, by hand, to an owner who is late
HOME_PAGER_BLOCK = "home_pager"
HOME_PAGE_PREVIOUS = "home_page_previous"  # action_ids are unique within a block: one per button
HOME_PAGE_NEXT = "home_page_next"

# Import modal
IMPORT_MODAL = "import_roadmap"
IMPORT_TEXT_BLOCK = "import_text"
IMPORT_TEXT_ACTION = "import_text_input"
IMPORT_QUARTER_BLOCK = "import_quarter"
IMPORT_QUARTER_ACTION = "import_quarter_input"

# --- Helper P: the portfolio (update modal details, initiative modal, settings modal, pickers) -----
CONFIDENCE_BLOCK = "confidence"
CONFIDENCE_ACTION = "confidence_select"
PROGRESS_BLOCK = "progress"
PROGRESS_ACTION = "progress_input"
NEXT_STEPS_BLOCK = "next_steps"
NEXT_STEPS_ACTION = "next_steps_input"
BLOCKERS_BLOCK = "blockers"
BLOCKERS_ACTION = "blockers_input"
DECISION_BLOCK = "decision_needed"
DECISION_ACTION = "decision_needed_input"
DECISION_OPTIONS_BLOCK = "decision_options"
DECISION_OPTIONS_ACTION = "decision_options_input"

# /okr new and /okr edit: one modal; each field's block id is INITIATIVE_FIELD + its name
INITIATIVE_MODAL = "initiative_edit"
INITIATIVE_FIELD = "initiative_field:"
INITIATIVE_FIELD_ACTION = "value"

# An ambiguous /okr status|edit|archive: a picker whose choice continues the command
PICK_INITIATIVE = "okr_pick:"  # + the subcommand

# /okr settings; a team channel's block id is SETTINGS_TEAM_CHANNEL + the department
SETTINGS_MODAL = "workspace_settings"
SETTINGS_FIELD = "settings_field:"
SETTINGS_TEAM_CHANNEL = "settings_team:"
SETTINGS_ACTION = "value"

# Escalation alerts and the decision modal (helper E)
ESC_ACTIONS_BLOCK = "esc_actions:"  # + escalation id
ESC_ACKNOWLEDGE = "esc_acknowledge"
ESC_SCHEDULE = "esc_schedule"
ESC_DECIDE = "esc_decide"
ESC_RESOLVE = "esc_resolve"
ESC_DECISION_MODAL = "esc_decision"
ESC_DECISION_BLOCK = "esc_decision_text"
ESC_DECISION_ACTION = "esc_decision_input"
ESC_RATIONALE_BLOCK = "esc_rationale"
ESC_RATIONALE_ACTION = "esc_rationale_input"
ESC_OWNER_BLOCK = "esc_follow_up_owner"
ESC_OWNER_ACTION = "esc_follow_up_owner_select"
ESC_DUE_BLOCK = "esc_follow_up_due"
ESC_DUE_ACTION = "esc_follow_up_due_date"

# The weekly digest (helper D)
DIGEST_DETAILS = "digest_details"  # an initiative's Details button: its `/okr status`, privately

# The quarter's close-out (the review's button and modal)
CLOSEOUT_BLOCK = "closeout"
CLOSEOUT_OPEN = "closeout_open"
CLOSEOUT_MODAL = "closeout"
CLOSEOUT_INITIATIVE_BLOCK = "closeout_initiative"
CLOSEOUT_INITIATIVE_ACTION = "closeout_initiative_select"
CLOSEOUT_OUTCOME_BLOCK = "closeout_outcome"
CLOSEOUT_OUTCOME_ACTION = "closeout_outcome_select"
CLOSEOUT_REASON_BLOCK = "closeout_reason"
CLOSEOUT_REASON_ACTION = "closeout_reason_input"

# The committee's agenda: each item's blocks and buttons end with its initiative's id (unique in the message)
COMMITTEE_ITEM_BLOCK = "committee_item:"  # + initiative id
COMMITTEE_PREREAD_BLOCK = "committee_preread:"  # + initiative id
COMMITTEE_ACTIONS_BLOCK = "committee_actions:"  # + initiative id
COMMITTEE_DECIDE = "committee_decide:"  # + initiative id: Record decision
COMMITTEE_DEFER = "committee_defer:"  # + initiative id: Defer to next committee
COMMITTEE_STATUS = "committee_status:"  # + initiative id: Open status, privately
COMMITTEE_DECISION_MODAL = "committee_decision"  # the decision modal, opened from an agenda item
