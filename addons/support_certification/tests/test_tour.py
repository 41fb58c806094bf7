# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSlaTour(HttpCase):
    def test_ticket_shows_deadline(self):
        agent = new_test_user(
            self.env,
            login="sc_tour_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="UTC",
        )
        tier = self.env.ref("support_certification.sla_tier_standard")
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Tour ticket", "description": "<p>Shown in the tour</p>"}
        )
        self.assertEqual(ticket.sla_tier_id, tier)
        self.assertTrue(ticket.sla_resolution_deadline)
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "support_certification_ticket_deadline",
            login=agent.login,
        )
