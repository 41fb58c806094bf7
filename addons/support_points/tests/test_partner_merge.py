# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import new_test_user

from .common import SupportPointsCommon


class TestPartnerMerge(SupportPointsCommon):
    """Odoo's merge wizard leaves the survivor's balance equal to its ledger,
    in every company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.manager.write({"company_ids": [Command.link(cls.company_b.id)]})
        cls.merger = new_test_user(
            cls.env,
            login="sp_merger",
            groups="base.group_user,base.group_partner_manager",
        )

    def _grant_in(self, company, partner, points):
        return (
            partner.with_user(self.manager)
            .with_company(company)
            .support_points_grant(points, "Test grant")
        )

    def _merge(self, partners, survivor):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.merger)
            .create(
                {
                    "partner_ids": [Command.set(partners.ids)],
                    "dst_partner_id": survivor.id,
                }
            )
        )
        wizard.action_merge()
        self.assertFalse((partners - survivor).exists())

    def _assert_balance_is_ledger(self, partner, company):
        moves = self.Move.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        rows = self.env["support.points.balance"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.balance, sum(moves.mapped("points")))
        self.assertEqual(rows.balance, sum(moves.mapped("remaining")))
        self.assertFalse(
            any(m.remaining > 0 for m in moves) and any(m.remaining < 0 for m in moves),
            "credits and debts are never open at the same time",
        )
        return rows.balance

    def test_merge_adds_the_balances_per_company(self):
        self._grant_in(self.company, self.customer, 5)
        self._grant_in(self.company, self.other_customer, 2)
        self._grant_in(self.company_b, self.other_customer, 4)
        self._merge(self.customer | self.other_customer, self.customer)
        self.assertEqual(self._assert_balance_is_ledger(self.customer, self.company), 7)
        self.assertEqual(
            self._assert_balance_is_ledger(self.customer, self.company_b), 4
        )
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 7)

    def test_merge_pays_a_debt_from_the_other_credits(self):
        self._grant_in(self.company, self.customer, 5)
        # the other customer owes one point (overdraft)
        self._move(self.other_customer, -1, "adjust")
        self._merge(self.customer | self.other_customer, self.customer)
        self.assertEqual(self._assert_balance_is_ledger(self.customer, self.company), 4)
        self._assert_consistent(self.customer)
