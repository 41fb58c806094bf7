# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import Form, new_test_user

from .common import SupportPointsCommon


@freeze_time("2026-03-02")
class TestLedger(SupportPointsCommon):
    def test_grant_returns_move_and_updates_balance(self):
        move_id = self.customer.with_user(self.manager).support_points_grant(
            3, "Welcome gift"
        )
        move = self.Move.browse(move_id)
        self.assertRecordValues(
            move,
            [
                {
                    "partner_id": self.customer.id,
                    "points": 3,
                    "kind": "grant",
                    "remaining": 3,
                    "note": "Welcome gift",
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(move.create_uid, self.manager)
        self.assertEqual(self.customer.support_points_balance, 3)
        self._assert_consistent(self.customer)

    def test_contact_shows_company_balance_and_grant_goes_to_company(self):
        move = self._grant(self.contact, 2)
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(self.contact.support_points_balance, 2)
        self.assertEqual(self.customer.support_points_balance, 2)
        self.assertEqual(self.other_customer.support_points_balance, 0)

    def test_grant_bad_input_writes_nothing(self):
        count = self.Move.search_count([])
        partner = self.customer.with_user(self.manager)
        for points in (0, -2, 1.5, True, "3"):
            with self.assertRaisesRegex(UserError, "Acme Corp"):
                partner.support_points_grant(points, "bad")
        with self.assertRaisesRegex(UserError, "in the past"):
            partner.support_points_grant(1, "bad", expiry_date=date(2026, 3, 1))
        self.assertEqual(self.Move.search_count([]), count)
        self.assertEqual(self.customer.support_points_balance, 0)

    def test_out_of_range_points_are_refused_before_the_database(self):
        count = self.Move.search_count([])
        partner = self.customer.with_user(self.manager)
        for points in (1_000_001, 2**31 - 1, 10**12):
            with self.assertRaisesRegex(UserError, "more than 1000000 points"):
                partner.support_points_grant(points, "too many")
        with self.assertRaisesRegex(UserError, "more than 1000000 points"):
            self._move(self.customer, -(10**15), "adjust")
        self.assertEqual(self.Move.search_count([]), count)
        # the largest line is accepted
        self._grant(self.customer, 1_000_000)
        self.assertEqual(self.customer.support_points_balance, 1_000_000)

    def test_balance_stays_in_integer_range(self):
        partner = self.customer
        # bring the balance row right under the limit (2**31 - 1)
        self._grant(partner, 1_000_000)
        self.env.cr.execute(
            "UPDATE support_points_balance SET balance = 2147483000 "
            "WHERE partner_id = %s",
            (partner.id,),
        )
        with self.assertRaisesRegex(UserError, "cannot go beyond"):
            self._grant(partner, 1000)

    def test_grant_malformed_expiry_date_is_a_user_error(self):
        count = self.Move.search_count([])
        partner = self.customer.with_user(self.manager)
        for expiry in ("2024-13-45", "soon"):
            with self.assertRaisesRegex(UserError, "not a valid date"):
                partner.support_points_grant(1, "bad", expiry_date=expiry)
        with self.assertRaisesRegex(UserError, "not a valid date"):
            self._move(self.customer, 2, "grant", expiry_date="2026-02-30")
        self.assertEqual(self.Move.search_count([]), count)

    def test_grant_to_several_partners_is_a_user_error(self):
        partners = (self.customer | self.other_customer).with_user(self.manager)
        with self.assertRaisesRegex(UserError, "one customer at a time"):
            partners.support_points_grant(1, "two")
        with self.assertRaisesRegex(UserError, "one customer at a time"):
            self.Partner.with_user(self.manager).support_points_grant(1, "none")
        self.assertFalse(self.Move.search([("note", "in", ("two", "none"))]))

    def test_grant_expiring_today_is_accepted(self):
        self._grant(self.customer, 1, expiry_date=date(2026, 3, 2))
        self.assertEqual(self.customer.support_points_expiry_date, date(2026, 3, 2))

    def test_only_managers_grant(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.helpdesk_user).support_points_grant(1, "no")
        with self.assertRaises(AccessError):
            self.Move.with_user(self.helpdesk_user).create(
                {"partner_id": self.customer.id, "points": 1, "kind": "adjust"}
            )
        self.assertTrue(self._grant(self.customer, 1))

    def test_helpdesk_user_reads_balance_internal_user_sees_figure_only(self):
        self._grant(self.customer, 4)
        self.assertEqual(
            self.customer.with_user(self.helpdesk_user).support_points_balance, 4
        )
        self.assertEqual(
            self.Move.with_user(self.helpdesk_user).search_count(
                [("partner_id", "=", self.customer.id)]
            ),
            1,
        )
        # a user outside helpdesk sees the figure on the partner, not the ledger
        self.assertEqual(
            self.customer.with_user(self.internal_user).support_points_balance, 4
        )
        with self.assertRaises(AccessError):
            self.Move.with_user(self.internal_user).search([])

    def test_lines_are_immutable_even_for_superuser(self):
        move = self._grant(self.customer, 2)
        for env_move in (move, move.sudo(), move.with_user(self.manager)):
            with self.assertRaisesRegex(UserError, "cannot be changed"):
                env_move.write({"points": 20})
            with self.assertRaisesRegex(UserError, "cannot be deleted"):
                env_move.unlink()
        self.assertEqual(move.points, 2)
        # correction: a new reversing line
        self._move(self.customer, -2, "adjust", note="Granted by mistake")
        self.assertEqual(self.customer.support_points_balance, 0)
        self._assert_consistent(self.customer)

    def test_remaining_cannot_be_forged_on_create(self):
        move = self._move(self.customer, 2, "adjust", remaining=50)
        self.assertEqual(move.remaining, 2)

    def test_fifo_consumption_and_expiry_of_unused_part(self):
        late = self._grant(self.customer, 2, expiry_date=date(2026, 3, 20))
        soon = self._grant(self.customer, 3, expiry_date=date(2026, 3, 10))
        forever = self._grant(self.customer, 1)
        self.assertEqual(self.customer.support_points_expiry_date, date(2026, 3, 10))
        self.assertEqual(self.customer.support_points_expiring, 3)
        self._move(self.customer, -4, "consume")
        self.assertEqual((soon.remaining, late.remaining, forever.remaining), (0, 1, 1))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_expiry_date, date(2026, 3, 20))
        self.assertEqual(self.customer.support_points_expiring, 1)
        with freeze_time("2026-03-21"):
            self.Move._cron_expire_points()
            expired = self.Move.search(
                [("partner_id", "=", self.customer.id), ("kind", "=", "expire")]
            )
            self.assertEqual(expired.points, -1, "only the unused part expires")
            self.assertEqual((late.remaining, forever.remaining), (0, 1))
            # idempotent
            self.Move._cron_expire_points()
            self.assertEqual(
                self.Move.search_count(
                    [("partner_id", "=", self.customer.id), ("kind", "=", "expire")]
                ),
                1,
            )
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.support_points_balance, 1)
            self.assertFalse(self.customer.support_points_expiry_date)
            self._assert_consistent(self.customer)

    def test_cron_writes_one_line_per_customer(self):
        self._grant(self.customer, 1, expiry_date=date(2026, 3, 5))
        self._grant(self.customer, 2, expiry_date=date(2026, 3, 6))
        self._grant(self.other_customer, 1, expiry_date=date(2026, 3, 5))
        with freeze_time("2026-03-10"):
            self.Move._cron_expire_points()
        lines = self.Move.search(
            [
                ("kind", "=", "expire"),
                ("partner_id", "in", (self.customer | self.other_customer).ids),
            ]
        )
        self.assertEqual(
            sorted(lines.mapped(lambda m: (m.partner_id.name, m.points))),
            [("Acme Corp", -3), ("Globex", -1)],
        )

    def test_overdraft_debt_is_paid_by_next_credit(self):
        debit = self._move(self.customer, -2, "consume")
        self.assertEqual(debit.remaining, -2)
        self.assertEqual(self.customer.support_points_balance, -2)
        grant = self._grant(self.customer, 5)
        self.assertEqual((debit.remaining, grant.remaining), (0, 3))
        self._assert_consistent(self.customer)

    def test_kind_sign_rules(self):
        with self.assertRaisesRegex(UserError, "must add points"):
            self._move(self.customer, -1, "grant")
        with self.assertRaisesRegex(UserError, "must remove"):
            self._move(self.customer, 1, "consume")

    def test_balance_for_80_partners_costs_constant_queries(self):
        partners = self.Partner.create(
            [{"name": f"Customer {i}", "is_company": True} for i in range(80)]
        )
        self.Move.create(
            [
                {
                    "partner_id": p.id,
                    "points": 3,
                    "kind": "grant",
                    "expiry_date": date(2026, 4, 1),
                }
                for p in partners
            ]
        )
        self.Move.create(
            [{"partner_id": p.id, "points": -1, "kind": "consume"} for p in partners]
        )
        # partner fields, company threshold, balances, open expiring lines
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            values = [
                (p.support_points_balance, p.support_points_expiring) for p in partners
            ]
        self.assertEqual(set(values), {(2, 2)})
        # a ten times longer history costs the same
        for _i in range(10):
            self.Move.create(
                [{"partner_id": p.id, "points": 1, "kind": "adjust"} for p in partners]
                + [
                    {"partner_id": p.id, "points": -1, "kind": "consume"}
                    for p in partners
                ]
            )
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            values = [
                (p.support_points_balance, p.support_points_expiring) for p in partners
            ]
        self.assertEqual({balance for balance, _expiring in values}, {2})

    def test_search_on_balance(self):
        self._grant(self.customer, 3)
        found = self.Partner.search(
            [
                ("support_points_balance", ">", 2),
                ("id", "in", (self.customer | self.contact | self.other_customer).ids),
            ]
        )
        self.assertEqual(found, self.customer | self.contact)
        zero = self.Partner.search(
            [("support_points_balance", "=", 0), ("id", "=", self.other_customer.id)]
        )
        self.assertEqual(zero, self.other_customer)

    def test_low_flag_only_for_customers_in_scheme(self):
        self.assertFalse(self.other_customer.support_points_low)
        self._grant(self.customer, 1)
        self.assertTrue(self.customer.support_points_low)
        self._grant(self.customer, 1)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.support_points_low)

    def test_grant_wizard_grants_each_company_once(self):
        wizard = Form(
            self.env["support.points.grant.wizard"]
            .with_user(self.manager)
            .with_context(
                active_model="res.partner",
                active_ids=(self.contact | self.customer | self.other_customer).ids,
            )
        )
        wizard.points = 2
        wizard.expiry_date = date(2026, 12, 31)
        wizard.note = "Ten years with us"
        action = wizard.save().action_grant()
        moves = self.Move.search(action["domain"])
        self.assertEqual(moves.partner_id, self.customer | self.other_customer)
        self.assertEqual(set(moves.mapped("points")), {2})

    def test_grant_wizard_selects_long_standing_customers(self):
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            (date(2019, 1, 1), self.customer.id),
        )
        self.customer.invalidate_recordset()
        wizard = (
            self.env["support.points.grant.wizard"]
            .with_user(self.manager)
            .create({"customer_since_years": 5, "points": 1})
        )
        wizard.action_select_long_standing()
        self.assertIn(self.customer, wizard.partner_ids)
        self.assertNotIn(self.other_customer, wizard.partner_ids)

    def test_grant_wizard_bad_input_writes_nothing(self):
        wizard = (
            self.env["support.points.grant.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "partner_ids": [(6, 0, (self.customer | self.other_customer).ids)],
                    "points": 0,
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_grant()
        wizard.points = 1
        wizard.expiry_date = date(2026, 1, 1)
        with self.assertRaises(UserError):
            wizard.action_grant()
        self.assertFalse(
            self.Move.search_count(
                [("partner_id", "in", (self.customer | self.other_customer).ids)]
            )
        )

    def test_grant_wizard_denied_to_helpdesk_user(self):
        with self.assertRaises(AccessError):
            self.env["support.points.grant.wizard"].with_user(
                self.helpdesk_user
            ).create({"points": 1})

    def test_expiry_fields_in_date_order(self):
        self._grant(self.customer, 1, expiry_date=date(2026, 3, 2) + timedelta(days=9))
        self._grant(self.customer, 4, expiry_date=date(2026, 3, 5))
        self._grant(self.customer, 2, expiry_date=date(2026, 3, 5))
        self.assertEqual(self.customer.support_points_expiry_date, date(2026, 3, 5))
        self.assertEqual(self.customer.support_points_expiring, 6)

    def test_multi_company_ledgers_are_separate(self):
        other_company = self.env["res.company"].create({"name": "Sister Co"})
        other_agent = new_test_user(
            self.env,
            login="sp_sister_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self._grant(self.customer, 3)
        self.Move.with_company(other_company).create(
            {
                "partner_id": self.customer.id,
                "points": 7,
                "kind": "grant",
                "company_id": other_company.id,
            }
        )
        self.assertEqual(self.customer.support_points_balance, 3)
        self.assertEqual(
            self.customer.with_company(other_company).support_points_balance, 7
        )
        sister_moves = self.Move.with_user(other_agent).search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(sister_moves.company_id, other_company)
        self.assertEqual(
            self.customer.with_user(other_agent)
            .with_company(other_company)
            .support_points_balance,
            7,
        )

    def test_public_balance_api_matches_the_fields_and_is_not_rpc(self):
        """support_points_balances and support_points_expiries, the API other
        add-ons call, give each partner the figures of its fields in the
        company asked for, and cannot be called over RPC."""
        expiry = fields.Date.today() + timedelta(days=30)
        self._grant(self.customer, 3, expiry_date=expiry)
        partners = self.customer | self.contact | self.other_customer
        balances = partners.support_points_balances(self.company)
        self.assertEqual(balances, {self.customer.id: 3, self.contact.id: 3})
        self.assertEqual(partners.support_points_balances(), balances)
        for partner in partners:
            self.assertEqual(
                balances.get(partner.id, 0), partner.support_points_balance
            )
        expiries = partners.support_points_expiries(self.company)
        self.assertEqual(
            expiries, {self.customer.id: (expiry, 3), self.contact.id: (expiry, 3)}
        )
        self.assertEqual(self.contact.support_points_expiry_date, expiry)
        other = self.env["res.company"].create({"name": "Other points company"})
        self.assertEqual(partners.support_points_balances(other), {})
        self.assertEqual(partners.support_points_expiries(other), {})
        for name in ("support_points_balances", "support_points_expiries"):
            with self.assertRaises(AccessError):
                get_public_method(self.env["res.partner"], name)
