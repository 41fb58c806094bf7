# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Install and uninstall hooks: helpdesk_mgmt's stages use our closing email
while the add-on is installed, and its "New" stage (which sends nothing out
of the box) our acknowledgement of a new ticket; helpdesk_mgmt's own records
are never rewritten, only the stages' choice of template and our own field on
them.
"""

HELPDESK_CLOSING_TEMPLATE = "helpdesk_mgmt.closed_ticket_template"
POINTS_CLOSING_TEMPLATE = "support_points.mail_template_ticket_closed_points"
HELPDESK_NEW_STAGE = "helpdesk_mgmt.helpdesk_ticket_stage_new"
POINTS_RECEIVED_TEMPLATE = "support_points.mail_template_ticket_received_charge"
# closing stages that do not resolve the request: never charged
NO_CHARGE_STAGES = (
    "helpdesk_mgmt.helpdesk_ticket_stage_cancelled",
    "helpdesk_mgmt.helpdesk_ticket_stage_rejected",
)


def _stages_sending(env, template):
    """The stages (archived ones too) that send ``template``."""
    return (
        env["helpdesk.ticket.stage"]
        .with_context(active_test=False)
        .search([("mail_template_id", "=", template.id)])
    )


def use_points_closing_template(env):
    """Point the stages sending helpdesk_mgmt's closing email to ours."""
    helpdesk = env.ref(HELPDESK_CLOSING_TEMPLATE, raise_if_not_found=False)
    ours = env.ref(POINTS_CLOSING_TEMPLATE, raise_if_not_found=False)
    if helpdesk and ours:
        _stages_sending(env, helpdesk).write({"mail_template_id": ours.id})


def restore_helpdesk_closing_template(env):
    """Point the stages sending our closing email back to helpdesk_mgmt's
    (to none if helpdesk_mgmt's template was deleted)."""
    ours = env.ref(POINTS_CLOSING_TEMPLATE, raise_if_not_found=False)
    if not ours:
        return
    helpdesk = env.ref(HELPDESK_CLOSING_TEMPLATE, raise_if_not_found=False)
    _stages_sending(env, ours).write(
        {"mail_template_id": helpdesk.id if helpdesk else False}
    )


def use_points_received_template(env):
    """helpdesk_mgmt's "New" stage acknowledges a new ticket with our email
    (what the ticket is expected to cost), unless it already sends one."""
    stage = env.ref(HELPDESK_NEW_STAGE, raise_if_not_found=False)
    ours = env.ref(POINTS_RECEIVED_TEMPLATE, raise_if_not_found=False)
    if stage and ours and not stage.mail_template_id:
        stage.mail_template_id = ours


def restore_received_template(env):
    """The stages sending our acknowledgement send nothing again, as
    helpdesk_mgmt ships its "New" stage."""
    ours = env.ref(POINTS_RECEIVED_TEMPLATE, raise_if_not_found=False)
    if ours:
        _stages_sending(env, ours).write({"mail_template_id": False})


def mark_no_charge_stages(env):
    """Tick "never charge" on helpdesk_mgmt's cancelled and rejected stages."""
    for xmlid in NO_CHARGE_STAGES:
        stage = env.ref(xmlid, raise_if_not_found=False)
        if stage:
            stage.support_no_charge = True


def post_init_hook(env):
    use_points_closing_template(env)
    use_points_received_template(env)
    mark_no_charge_stages(env)


def uninstall_hook(env):
    restore_helpdesk_closing_template(env)
    restore_received_template(env)
