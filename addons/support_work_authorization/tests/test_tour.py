# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import WorkAuthorizationHttpCommon


@tagged("post_install", "-at_install")
class TestTours(WorkAuthorizationHttpCommon):
    def test_agent_prepares_and_runs_the_meter(self):
        self.ticket.name = "Tour sensor ticket"
        self.start_tour(
            f"/odoo/helpdesk-tickets/{self.ticket.id}",
            "support_work_authorization_agent",
            login="wa_agent",
        )
        authorization = self.ticket.work_auth_id
        self.assertEqual(authorization.state, "sent")
        self.assertEqual(authorization.line_ids.time_type_id, self.onsite)
        self.assertEqual(authorization.order_id.partner_id, self.contact)

    def test_agent_meter_on_a_phone(self):
        self.ticket.name = "Tour meter ticket"
        authorization = self._authorization()
        authorization.action_send()
        self._accept(authorization, self.portal_contact)
        self.browser_size = "390x844"
        self.start_tour(
            f"/odoo/helpdesk-tickets/{self.ticket.id}",
            "support_work_authorization_meter",
            login="wa_agent",
        )
        visit = self.ticket.work_auth_visit_ids
        self.assertTrue(visit.departed_at and visit.arrived_at and visit.left_at)
        self.assertEqual(
            self.ticket.timesheet_ids.time_type_id, self.travel | self.onsite
        )

    def test_customer_accepts_in_the_portal(self):
        authorization = self._authorization()
        authorization.action_send()
        self.start_tour(
            authorization.order_id.get_portal_url(),
            "support_work_authorization_portal_accept",
            login="wa_nadia",
        )
        self.assertEqual(authorization.state, "accepted")
        self.assertEqual(authorization.accepted_by_id, self.contact)
