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


class SupportChargeCommon(SupportPointsCommon):
    """Stages, channels and a ticket factory for the charging tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        cls.stage_rejected = ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.channel_phone = ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        cls.channel_email = ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
        cls.channel_web = ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        cls.channel_other = ref("helpdesk_mgmt.helpdesk_ticket_channel_other")
        cls.fee_product = ref("support_points.product_support_fee")
        cls.company.support_points_empty_policy = "fee"
        cls.company.support_points_low_threshold = 1

    @classmethod
    def _ticket(cls, partner=None, channel=None, user=None, **vals):
        tickets = cls.env["helpdesk.ticket"]
        if user:
            tickets = tickets.with_user(user)
        vals.setdefault("name", "Printer on fire")
        vals.setdefault("description", "<p>Help</p>")
        vals.setdefault("stage_id", cls.stage_progress.id)
        return tickets.create(
            dict(
                partner_id=(partner or cls.contact).id,
                channel_id=(channel or cls.channel_phone).id,
                **vals,
            )
        )

    @classmethod
    def _close(cls, ticket, stage=None):
        ticket.write({"stage_id": (stage or cls.stage_done).id})
        return ticket

    def _charge_lines(self, ticket):
        return self.Move.search([("ticket_id", "=", ticket.id)])


class SupportClosingMailCommon(SupportChargeCommon):
    """Tickets closed with tracking on, as in the web client: the closing
    email is sent through the stage's tracking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # emails are sent through tracking: keep it on here
        context = dict(cls.env.context)
        context.pop("tracking_disable")
        cls.tracked_env = cls.env(context=context)

    def _close_tracked(self, **vals):
        ticket = self._ticket(**vals).with_env(self.tracked_env)
        # creating without tracking discards this transaction's tracking of
        # the ticket: finish that transaction step first
        self.env.flush_all()
        self.env.cr.precommit.run()
        ticket.write({"stage_id": self.stage_done.id})
        self.env.flush_all()
        self.env.cr.precommit.run()
        return ticket

    def _closing_mails(self, ticket):
        return self.env["mail.mail"].search(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
