# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Uninstall hook: helpdesk_mgmt keeps working without the add-on."""

REAUTH_STAGE = "support_work_authorization.helpdesk_ticket_stage_reauthorization"
IN_PROGRESS = "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"


def uninstall_hook(env):
    """Tickets waiting for a re-authorization go back to the stage they had
    (or *In progress*), so that our stage can be deleted with the add-on."""
    stage = env.ref(REAUTH_STAGE, raise_if_not_found=False)
    if not stage:
        return
    tickets = (
        env["helpdesk.ticket"]
        .with_context(active_test=False, tracking_disable=True)
        .search([("stage_id", "=", stage.id)])
    )
    fallback = env.ref(IN_PROGRESS, raise_if_not_found=False)
    for ticket in tickets:
        before = ticket.work_auth_stage_before_id or fallback
        if before:
            ticket.stage_id = before
