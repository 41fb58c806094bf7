# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import AGENT_GROUPS, WorkAuthorizationCommon


class TestReauthorization(WorkAuthorizationCommon):
    def setUp(self):
        super().setUp()
        # 1 h travel + 2 h on site accepted; 10 % tolerance: up to 3.3 h
        self.authorization = self._authorization()
        self.authorization.action_send()
        self._accept(self.authorization, self.portal_contact)

    def test_time_within_the_tolerance_goes_on(self):
        self._log(1.0, self.travel)
        self._log(2.25, self.onsite)
        self.assertEqual(self.authorization.state, "accepted")
        self.assertEqual(self.ticket.stage_id, self.stage_progress)

    def test_every_technicians_time_counts(self):
        """Agents see their own timesheets only; the overrun counts all."""
        other = new_test_user(self.env, login="wa_agent2", groups=AGENT_GROUPS)
        self.env["hr.employee"].create({"name": "Agent 2", "user_id": other.id})
        self._log(2.0, self.onsite, user=other)
        self.assertEqual(self.authorization.state, "accepted")
        self._log(1.5, self.travel)
        self.assertEqual(self.authorization.state, "reauth")
        self.assertEqual(self.authorization.with_user(self.agent).actual_hours, 3.5)

    def test_non_billable_time_does_not_count(self):
        self._log(3.0, self.onsite)
        self._log(5.0, self.onsite, work_auth_no_charge=True)
        self.assertEqual(self.authorization.state, "accepted")

    def test_overrun_beyond_tolerance_asks_for_reauthorization(self):
        self._log(1.0, self.travel)
        self._log(2.5, self.onsite)
        self.assertEqual(self.authorization.state, "reauth")
        self.assertEqual(self.ticket.stage_id, self.reauth_stage)
        asked = self.ticket.message_ids.filtered(
            lambda m: self.contact in m.partner_ids
            and "revised work authorization" in m.body
        )
        self.assertTrue(asked, "the contact is asked to accept a revision")
        with self.assertRaisesRegex(UserError, "no more time is billed"):
            self.authorization.with_user(self.manager).action_invoice()

    def test_editing_a_line_beyond_tolerance_asks_too(self):
        line = self._log(3.0, self.onsite)
        self.assertEqual(self.authorization.state, "accepted")
        line.with_user(self.agent).unit_amount = 4.0
        self.assertEqual(self.authorization.state, "reauth")

    def test_revised_quotation_accepted_puts_the_ticket_back(self):
        self._log(4.0, self.onsite)
        first_order = self.authorization.order_id
        self.authorization.with_user(self.agent).write(
            {
                "line_ids": [
                    Command.create({"time_type_id": self.workshop.id, "quantity": 2})
                ]
            }
        )
        self.authorization.with_user(self.agent).action_send()
        revision = self.authorization.order_id
        self.assertNotEqual(revision, first_order)
        self.assertEqual(revision.state, "sent")
        self.assertEqual(self.authorization.state, "reauth")
        self.assertEqual(self.authorization.accepted_hours, 3.0)
        self._accept(self.authorization, self.portal_contact)
        self.assertEqual(self.authorization.state, "accepted")
        self.assertEqual(self.authorization.accepted_hours, 5.0)
        self.assertEqual(self.authorization.accepted_order_id, revision)
        self.assertEqual(first_order.state, "cancel")
        self.assertEqual(self.ticket.stage_id, self.stage_progress)

    def test_agent_adding_scope_asks_for_acceptance_first(self):
        self.authorization.with_user(self.agent).write(
            {
                "line_ids": [
                    Command.create({"time_type_id": self.remote.id, "quantity": 1})
                ]
            }
        )
        self.authorization.with_user(self.agent).action_send()
        self.assertEqual(self.authorization.state, "reauth")
        self.assertEqual(self.ticket.stage_id, self.reauth_stage)
        # time logged now waits for the revision's acceptance
        line = self._log(0.5, self.remote)
        self.assertTrue(line.work_auth_unauthorized)
