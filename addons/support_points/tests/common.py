# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, new_test_user


class SupportPointsCommon(TransactionCase):
    """Users per role and one customer company with a contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.Move = cls.env["support.points.move"]
        cls.Partner = cls.env["res.partner"]
        cls.helpdesk_user = new_test_user(
            cls.env,
            login="sp_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sp_manager",
            groups="support_points.group_support_points_manager",
        )
        cls.internal_user = new_test_user(
            cls.env, login="sp_internal", groups="base.group_user"
        )
        cls.customer = cls.Partner.create(
            {"name": "Acme Corp", "is_company": True, "customer_rank": 1}
        )
        cls.contact = cls.Partner.create(
            {"name": "Ann Acme", "parent_id": cls.customer.id, "email": "a@acme.test"}
        )
        cls.other_customer = cls.Partner.create(
            {"name": "Globex", "is_company": True, "customer_rank": 1}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sp_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )

    @classmethod
    def _grant(cls, partner, points, expiry_date=False, note="Test grant"):
        move_id = partner.with_user(cls.manager).support_points_grant(
            points, note, expiry_date=expiry_date
        )
        return cls.Move.browse(move_id)

    @classmethod
    def _move(cls, partner, points, kind, **vals):
        return cls.Move.with_user(cls.manager).create(
            dict(partner_id=partner.id, points=points, kind=kind, **vals)
        )

    def _assert_consistent(self, partner):
        """Balance row, sum of lines and sum of open counters agree."""
        moves = self.Move.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        partner.invalidate_recordset()
        balance = partner.support_points_balance
        self.assertEqual(balance, sum(moves.mapped("points")))
        self.assertEqual(balance, sum(moves.mapped("remaining")))
        self.assertFalse(
            any(m.remaining > 0 for m in moves) and any(m.remaining < 0 for m in moves),
            "credits and debts are never open at the same time",
        )
