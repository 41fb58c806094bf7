# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import ValidationError

from .common import SupportPointsCommon


class TestPacks(SupportPointsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pack = cls.env["product.product"].create(
            {
                "name": "Buy 5, get 6",
                "type": "service",
                "list_price": 250.0,
                "support_points": 6,
            }
        )
        cls.other_product = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "list_price": 100.0}
        )

    def _invoice(self, move_type="out_invoice", quantity=1, post=True):
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.contact.id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.pack.id, "quantity": quantity}),
                    Command.create({"product_id": self.other_product.id}),
                ],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    def _purchases(self):
        return self.Move.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "purchase")]
        )

    def test_posting_invoice_grants_pack_points_once_per_line(self):
        invoice = self._invoice(quantity=2)
        purchase = self._purchases()
        self.assertRecordValues(
            purchase,
            [{"points": 12, "invoice_line_id": invoice.invoice_line_ids[0].id}],
        )
        self.assertEqual(self.customer.support_points_balance, 12)
        invoice.button_draft()
        invoice.action_post()
        # reset to draft took the points back, posting again booked them again
        self.assertEqual(sorted(self._purchases().mapped("points")), [-12, 12, 12])
        self.assertEqual(self.customer.support_points_balance, 12)

    def test_draft_invoice_grants_nothing(self):
        self._invoice(post=False)
        self.assertFalse(self._purchases())

    def test_credit_note_takes_points_back(self):
        invoice = self._invoice()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Cancelled"})
        )
        reversal.refund_moves()
        credit_note = invoice.reversal_move_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        credit_note.action_post()
        self.assertEqual(sorted(self._purchases().mapped("points")), [-6, 6])
        self.assertEqual(self.customer.support_points_balance, 0)

    def test_vendor_bill_grants_nothing(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-01-01",
                "invoice_line_ids": [Command.create({"product_id": self.pack.id})],
            }
        )
        bill.action_post()
        self.assertFalse(self._purchases())

    def test_pack_with_negative_points_is_refused(self):
        templates = self.env["product.template"]
        count = templates.search_count([])
        with self.assertRaisesRegex(ValidationError, "Bad pack"):
            templates.create({"name": "Bad pack", "support_points": -3})
        self.assertEqual(templates.search_count([]), count)
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.pack.product_tmpl_id.write({"support_points": -1})
        self.assertEqual(self.pack.support_points, 6)
