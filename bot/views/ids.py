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
