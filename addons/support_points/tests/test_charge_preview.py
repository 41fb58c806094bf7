# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import random
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SupportChargeCommon

RULE_LOGGER = "odoo.addons.support_points.models.support_charge_rule"


class TestChargePreview(SupportChargeCommon):
    """support_charge_preview() says what closing the ticket charges, and
    closing it unchanged charges exactly that: for every shipped rule, every
    charge state, and random tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["support.charge.rule"]
        cls.rule_fault = cls.env.ref("support_points.charge_rule_vendor_fault")
        cls.rule_free = cls.env.ref("support_points.charge_rule_free_channels")
        cls.rule_phone = cls.env.ref("support_points.charge_rule_phone")
        cls.rule_default = cls.env.ref("support_points.charge_rule_default")

    @classmethod
    def _grant_expired(cls, partner, points):
        """Points granted ten days ago that expired three days ago."""
        granted = date.today() - timedelta(days=10)
        with freeze_time(granted):
            cls._grant(partner, points, expiry_date=granted + timedelta(days=7))

    # -- the property -------------------------------------------------------

    def _ledger(self, ticket):
        return sorted(self._charge_lines(ticket).mapped(lambda m: (m.kind, m.points)))

    def _assert_close_charges_the_preview(self, ticket, stage=None):
        """Preview as the agent, close (in ``stage`` or where the preview
        says) as the agent, and compare.  Returns the preview."""
        as_agent = ticket.with_user(self.helpdesk_user)
        preview = as_agent.support_charge_preview(stage_id=stage and stage.id)
        stage = stage or self.env["helpdesk.ticket.stage"].browse(preview["stage_id"])
        self.assertTrue(stage, preview)
        state_before = ticket.support_charge_state
        ledger_before = self._ledger(ticket)
        customer = ticket.commercial_partner_id
        if ticket.stage_id == stage:
            as_agent.with_user(self.manager).action_support_charge()
        else:
            self._close(as_agent, stage)
        ticket.invalidate_recordset()
        message = f"{ticket.name}: {preview}"
        if preview["charge_state"] == "none":
            self.assertEqual(ticket.support_charge_state, state_before, message)
            self.assertEqual(self._ledger(ticket), ledger_before, message)
            self.assertEqual(preview["points"], 0, message)
            self.assertEqual(preview["fee_amount"], 0.0, message)
        else:
            self.assertEqual(ticket.support_charge_state, preview["charge_state"])
            self.assertEqual(ticket.support_charge_rule_id.id, preview["rule_id"])
            self.assertEqual(ticket.support_points_charged, preview["points"], message)
            expected = {
                "charged": [("consume", -preview["points"])],
                "credited": [("adjust", -preview["points"])],
            }.get(preview["charge_state"], [])
            self.assertEqual(self._ledger(ticket), expected, message)
            line = ticket.support_fee_line_id
            if preview["charge_state"] == "fee":
                self.assertEqual(line.price_total, preview["fee_amount"], message)
                self.assertEqual(line.currency_id.name, preview["currency"], message)
            else:
                self.assertFalse(line, message)
                self.assertEqual(preview["fee_amount"], 0.0, message)
        if customer:
            customer.invalidate_recordset()
            self.assertEqual(
                customer.support_points_balance, preview["balance_after"], message
            )
        return preview

    # -- every shipped rule and charge state ----------------------------------

    def test_bank_with_points_uses_one(self):
        self._grant(self.customer, 4)
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(preview["rule_id"], self.rule_phone.id)
        self.assertEqual(preview["charge_state"], "charged")
        self.assertEqual((preview["points"], preview["balance_after"]), (1, 3))
        self.assertEqual(
            preview["message"], "Closing will use 1 point: 3 left after today."
        )

    def test_catch_all_rule_uses_its_points(self):
        self.rule_default.points = 2
        self._grant(self.customer, 2)
        preview = self._assert_close_charges_the_preview(
            self._ticket(channel=self.channel_other)
        )
        self.assertEqual(preview["rule_id"], self.rule_default.id)
        self.assertEqual(
            preview["message"], "Closing will use 2 points: 0 left after today."
        )

    def test_empty_bank_invoices_the_fee(self):
        tax = self.env["account.tax"].create(
            {"name": "Preview VAT 10%", "amount": 10, "type_tax_use": "sale"}
        )
        self.fee_product.taxes_id = [Command.set(tax.ids)]
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(preview["charge_state"], "fee")
        self.assertEqual(preview["points"], 0)
        self.assertAlmostEqual(
            preview["fee_amount"], self.fee_product.lst_price * 1.1, places=2
        )
        self.assertIn("Closing will invoice a fee of", preview["message"])
        self.assertIn("the points bank is empty", preview["message"])
        # a second fee goes on the same draft invoice: still the same amount
        second = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(second["fee_amount"], preview["fee_amount"])

    def test_short_bank_invoices_the_fee(self):
        self.rule_phone.points = 3
        self._grant(self.customer, 2)
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(preview["charge_state"], "fee")
        self.assertEqual(preview["balance_after"], 2)
        self.assertIn("the customer has 2, the rule needs 3", preview["message"])

    def test_overdraft_policy_charges_past_zero(self):
        self.company.support_points_empty_policy = "overdraft"
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(
            (preview["charge_state"], preview["balance_after"]), ("charged", -1)
        )
        self.assertIn("overdraft", preview["message"])

    def test_rule_without_fee_product_charges_past_zero(self):
        self.rule_phone.fee_product_id = False
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(
            (preview["charge_state"], preview["balance_after"]), ("charged", -1)
        )

    def test_expired_points_are_removed_first(self):
        self._grant_expired(self.customer, 2)
        self._grant(self.customer, 3)
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(preview["balance_after"], 2)

    def test_expired_points_leave_the_bank_empty(self):
        self._grant_expired(self.customer, 2)
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual(
            (preview["charge_state"], preview["balance_after"]), ("fee", 0)
        )

    def test_free_channels(self):
        self._grant(self.customer, 1)
        for channel in (self.channel_email, self.channel_web):
            preview = self._assert_close_charges_the_preview(
                self._ticket(channel=channel)
            )
            self.assertEqual(preview["rule_id"], self.rule_free.id)
            self.assertEqual(
                (preview["charge_state"], preview["balance_after"]), ("free", 1)
            )
            self.assertEqual(
                preview["message"], "Closing is free (rule: Email or web: free)."
            )

    def test_caused_by_us_credits_a_point(self):
        self._grant(self.customer, 1)
        preview = self._assert_close_charges_the_preview(
            self._ticket(support_vendor_fault=True)
        )
        self.assertEqual(preview["rule_id"], self.rule_fault.id)
        self.assertEqual((preview["points"], preview["balance_after"]), (-1, 2))

    def test_no_charge_stages(self):
        self._grant(self.customer, 1)
        for stage in (self.stage_cancelled, self.stage_rejected):
            preview = self._assert_close_charges_the_preview(self._ticket(), stage)
            self.assertEqual(preview["charge_state"], "none")
            self.assertIn("never charges", preview["message"])

    def test_already_charged(self):
        self._grant(self.customer, 3)
        ticket = self._close(self._ticket())
        preview = self._assert_close_charges_the_preview(ticket)
        self.assertEqual(preview["charge_state"], "none")
        self.assertEqual(preview["balance_after"], 2)
        self.assertIn("Charged when it closed", preview["message"])
        # reopened and closed again: still nothing more
        ticket.write({"stage_id": self.stage_progress.id})
        self._assert_close_charges_the_preview(ticket)

    def test_closed_in_a_stage_not_charged_yet(self):
        """A ticket closed while its rule was broken: the preview says what
        the Charge button charges."""
        self._grant(self.customer, 3)
        broken = self.Rule.create(
            {"name": "Broken rule", "sequence": 1, "ticket_domain": "[]", "points": 5}
        )
        # a rule broken after it was saved (a field gone with an add-on):
        # the ORM refuses to save such a domain, so SQL on our own table
        self.env.cr.execute(
            "UPDATE support_charge_rule SET ticket_domain = %s WHERE id = %s",
            ("[('gone', '=', 1)]", broken.id),
        )
        broken.invalidate_recordset()
        self.env.registry.clear_cache()
        ticket = self._ticket()
        with mute_logger(RULE_LOGGER):
            preview = self._assert_close_charges_the_preview(ticket)
        self.assertEqual(preview["charge_state"], "none")
        self.assertIn("Broken rule", preview["message"])
        self.assertEqual(ticket.support_charge_state, "none")
        broken.write({"ticket_domain": "[('priority', '=', '3')]"})
        preview = self._assert_close_charges_the_preview(ticket)
        self.assertEqual(
            (preview["charge_state"], preview["balance_after"]), ("charged", 2)
        )

    def test_no_rule_and_no_customer(self):
        self.rule_default.active = False
        preview = self._assert_close_charges_the_preview(
            self._ticket(channel=self.channel_other)
        )
        self.assertEqual(preview["message"], "Closing is free: no charge rule applies.")
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Nobody", "description": "x", "channel_id": self.channel_phone.id}
        )
        preview = self._assert_close_charges_the_preview(ticket)
        self.assertEqual(preview["charge_state"], "none")

    def test_rule_on_the_stage_sees_the_closing_stage(self):
        """The rules see the ticket as it is once closed, not before."""
        self._grant(self.customer, 5)
        self.Rule.create(
            {
                "name": "Done costs three",
                "sequence": 1,
                "ticket_domain": repr([("stage_id", "=", self.stage_done.id)]),
                "points": 3,
            }
        )
        preview = self._assert_close_charges_the_preview(self._ticket())
        self.assertEqual((preview["points"], preview["balance_after"]), (3, 2))

    def test_random_tickets(self):
        """A few dozen random tickets, previewed then closed one after the
        other, over a few customers whose balances move as they go."""
        rng = random.Random(21)
        customers = self.customer | self.other_customer
        contacts = [self.contact] + [
            self.Partner.create({"name": f"Random {i}", "parent_id": customers[1].id})
            for i in range(2)
        ]
        empty = self.Partner.create({"name": "Initech", "is_company": True})
        contacts.append(
            self.Partner.create({"name": "Peter Initech", "parent_id": empty.id})
        )
        self._grant(self.customer, 4)
        self._grant_expired(self.other_customer, 2)
        self._grant(self.other_customer, 1)
        channels = [
            self.channel_phone,
            self.channel_email,
            self.channel_web,
            self.channel_other,
        ]
        stages = [self.stage_done] * 6 + [self.stage_cancelled, self.stage_rejected]
        seen = set()
        for i in range(36):
            if i == 24:
                self.company.support_points_empty_policy = "overdraft"
            ticket = self._ticket(
                partner=rng.choice(contacts),
                channel=rng.choice(channels),
                name=f"Random ticket {i}",
                support_vendor_fault=rng.random() < 0.15,
            )
            if rng.random() < 0.1:
                self._grant(ticket.commercial_partner_id, rng.randint(1, 3))
            stage = rng.choice(stages)
            preview = self._assert_close_charges_the_preview(ticket, stage)
            seen.add(preview["charge_state"])
            if rng.random() < 0.2:
                # and again, already charged
                self._assert_close_charges_the_preview(ticket, stage)
        self.assertEqual(seen, {"none", "free", "charged", "credited", "fee"})

    # -- the method itself ------------------------------------------------------

    def test_one_ticket_at_a_time(self):
        tickets = self._ticket() | self._ticket()
        with self.assertRaisesRegex(UserError, "one ticket at a time"):
            tickets.with_user(self.helpdesk_user).support_charge_preview()
        with self.assertRaisesRegex(UserError, "one ticket at a time"):
            self.env["helpdesk.ticket"].support_charge_preview()
        with self.assertRaisesRegex(UserError, "does not exist"):
            tickets[0].support_charge_preview(stage_id=999999)

    def test_preview_writes_nothing_and_needs_read_access(self):
        self._grant(self.customer, 2)
        ticket = self._ticket()
        lines = self.Move.search_count([])
        invoices = self.env["account.move"].search_count([])
        ticket.with_user(self.helpdesk_user).support_charge_preview()
        self.assertEqual(self.Move.search_count([]), lines)
        self.assertEqual(self.env["account.move"].search_count([]), invoices)
        self.assertEqual(ticket.support_charge_state, "none")
        with self.assertRaises(AccessError):
            ticket.with_user(self.internal_user).support_charge_preview()

    # -- what the agent and the customer read ------------------------------------

    def test_form_preview_follows_the_channel(self):
        self._grant(self.customer, 4)
        ticket = self._ticket(channel=self.channel_email)
        with Form(ticket.with_user(self.helpdesk_user)) as form:
            self.assertEqual(form.support_charge_preview_state, "free")
            form.channel_id = self.channel_phone
            self.assertEqual(
                form.support_charge_preview_message,
                "Closing will use 1 point: 3 left after today.",
            )
            form.partner_id = self.other_customer
            self.assertEqual(form.support_charge_preview_state, "fee")
            self.assertIn("fee of", form.support_charge_preview_message)

    def test_customer_message(self):
        self._grant(self.customer, 4)
        phone = self._ticket()
        self.assertEqual(
            phone.support_charge_customer_message,
            "Resolving this request uses 1 support point; you have 4.",
        )
        email = self._ticket(channel=self.channel_email)
        self.assertEqual(
            email.support_charge_customer_message,
            "This request, received by Email, is free of charge.",
        )
        other = self._ticket(partner=self.other_customer)
        self.assertIn(
            "do not cover this request", other.support_charge_customer_message
        )
        self._close(phone)
        phone.invalidate_recordset()
        self.assertEqual(
            phone.support_charge_customer_message, "This request used 1 support point."
        )


@tagged("post_install", "-at_install")
class TestChargePreviewTour(HttpCase):
    def test_closing_with_a_fee_asks_first(self):
        agent = new_test_user(
            self.env,
            login="sp_preview_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Empty Bank", "is_company": True}
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour phone call",
                "description": "<p>call</p>",
                "partner_id": customer.id,
                "user_id": agent.id,
                "channel_id": self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_channel_phone"
                ).id,
                "stage_id": self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
                ).id,
            }
        )
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "support_points_charge_preview",
            login="sp_preview_agent",
        )
        self.assertEqual(
            ticket.stage_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        )
        self.assertEqual(ticket.support_charge_state, "fee")
        # over RPC (and in Python) nothing asks: the write closes at once
        other = ticket.copy(
            {"stage_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id}
        )
        other.with_user(agent).write({"stage_id": ticket.stage_id.id})
        self.assertEqual(other.support_charge_state, "fee")

    def test_kanban_drop_with_a_fee_asks_first(self):
        in_progress = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        # every stage unfolded: the card is dropped on the Done column
        self.env["helpdesk.ticket.stage"].search([]).fold = False
        new_test_user(
            self.env,
            login="sp_kanban_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Kanban Bank", "is_company": True}
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour kanban call",
                "description": "<p>call</p>",
                "partner_id": customer.id,
                "channel_id": self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_channel_phone"
                ).id,
                "stage_id": in_progress.id,
            }
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action?view_type=kanban",
            "support_points_charge_preview_kanban",
            login="sp_kanban_agent",
        )
        self.assertEqual(ticket.stage_id, in_progress)
        self.assertEqual(ticket.support_charge_state, "none")
