# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError

from .common import WorkAuthorizationCommon


class TestAbsorb(WorkAuthorizationCommon):
    def setUp(self):
        super().setUp()
        self.authorization = self._authorization(hours={self.onsite: 2.0})
        self.authorization.action_send()
        self._accept(self.authorization, self.portal_contact)
        # 0.2 h over, within the 10 % tolerance: accepted, billed, absorbed
        self._log(2.2, self.onsite)
        self.authorization.absorb_reason = "Our spare part was faulty"

    def _points_moves(self):
        return self.env["support.points.move"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def test_absorbed_overrun_returns_points_as_an_adjustment(self):
        self.authorization.with_user(self.manager).action_absorb_overrun()
        move = self._points_moves()
        self.assertEqual(move.kind, "adjust")
        # 0.2 h at 2 points per hour, rounded up
        self.assertEqual(move.points, 1)
        self.assertIn("Our spare part was faulty", move.note)
        self.assertIn(self.authorization.name, move.note)
        self.assertEqual(self.authorization.absorbed_points, 1)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 1)
        # the invoice is not discounted: the actual time is billed
        action = self.authorization.with_user(self.manager).action_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertAlmostEqual(invoice.amount_untaxed, 198.0)
        self.assertFalse(any(invoice.invoice_line_ids.mapped("discount")))

    def test_only_once_with_a_reason_by_a_points_manager(self):
        with self.assertRaises(AccessError):
            self.authorization.with_user(self.agent).action_absorb_overrun()
        self.authorization.absorb_reason = " "
        with self.assertRaisesRegex(UserError, "Say why"):
            self.authorization.with_user(self.manager).action_absorb_overrun()
        self.authorization.absorb_reason = "Goodwill"
        self.authorization.with_user(self.manager).action_absorb_overrun()
        with self.assertRaisesRegex(UserError, "absorbed already"):
            self.authorization.with_user(self.manager).action_absorb_overrun()
        self.assertEqual(len(self._points_moves()), 1)

    def test_nothing_to_absorb_without_overrun(self):
        authorization = self._authorization(
            ticket=self._new_ticket("Small"), hours={self.onsite: 5.0}
        )
        authorization.action_send()
        self._accept(authorization, self.portal_contact)
        authorization.absorb_reason = "Goodwill"
        with self.assertRaisesRegex(UserError, "no overrun"):
            authorization.with_user(self.manager).action_absorb_overrun()
