# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import UserError

from .common import WorkAuthorizationCommon


class TestInvoice(WorkAuthorizationCommon):
    def setUp(self):
        super().setUp()
        self.remote.work_auth_billable = False
        self.authorization = self._authorization(
            hours={self.travel: 1.0, self.onsite: 2.0, self.workshop: 1.0}
        )
        self.authorization.action_send()
        self._accept(self.authorization, self.portal_contact)
        ticket = self.ticket.with_user(self.agent)
        with freeze_time("2026-12-07 13:00:00"):
            ticket.action_work_meter_depart()
        with freeze_time("2026-12-07 13:40:00"):
            ticket.action_work_meter_arrive()
        with freeze_time("2026-12-07 15:55:00"):
            ticket.action_work_meter_leave()
        # travel 0.75 h, on site 2.25 h (rounded up)
        self._log(0.5, self.remote)

    def test_invoice_bills_actual_per_time_type_with_the_breakdown(self):
        action = self.authorization.with_user(self.manager).action_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(self.authorization.state, "done")
        billed = {
            line.product_id: line.quantity
            for line in invoice.invoice_line_ids
            if line.display_type == "product"
        }
        self.assertEqual(billed[self.travel.work_auth_product_id], 0.75)
        self.assertEqual(billed[self.onsite.work_auth_product_id], 2.25)
        # estimated but not done: not billed
        self.assertNotIn(self.workshop.work_auth_product_id, billed)
        self.assertEqual(invoice.amount_untaxed, 0.75 * 60 + 2.25 * 90)
        notes = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_note"
        ).mapped("name")
        text = "\n".join(notes)
        # the contact is in New York: the visit's times in their timezone
        self.assertIn(
            "Travel: accepted 1:00 h, actual 0:45 h (2026-12-07: 08:00-08:40)", text
        )
        self.assertIn(
            "On site: accepted 2:00 h, actual 2:15 h (2026-12-07: 08:40-10:55)", text
        )
        self.assertIn("Workshop: accepted 1:00 h, actual 0:00 h", text)
        self.assertIn("Remote: accepted 0:00 h, actual 0:00 h + 0:30 h no charge", text)

    def test_ticket_and_authorization_show_estimate_against_actual(self):
        html = str(self.ticket.work_auth_breakdown_html)
        for expected in (
            "Travel",
            "On site",
            "2:15",
            "0:30",
            "no charge",
            "08:40-10:55",
        ):
            self.assertIn(expected, html)

    def test_not_accepted_is_not_invoiced(self):
        other = self._authorization(ticket=self._new_ticket("Other"))
        other.action_send()
        with self.assertRaisesRegex(UserError, "not accepted"):
            other.with_user(self.manager).action_invoice()
