# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import SupportChargeCommon


class TestCharge(SupportChargeCommon):
    def test_automation_is_shipped_and_active(self):
        automation = self.env.ref("support_points.automation_ticket_close_charge")
        self.assertTrue(automation.active)
        self.assertEqual(automation.trigger, "on_stage_set")
        self.assertIn("action_support_charge", automation.action_server_ids.code)

    def test_closing_phone_ticket_as_agent_charges_one_point(self):
        self._grant(self.customer, 3)
        ticket = self._ticket(user=self.helpdesk_user)
        self._close(ticket)
        self.assertRecordValues(
            ticket,
            [
                {
                    "support_charge_state": "charged",
                    "support_points_charged": 1,
                    "support_charge_rule_id": self.env.ref(
                        "support_points.charge_rule_phone"
                    ).id,
                }
            ],
        )
        line = self._charge_lines(ticket)
        self.assertRecordValues(
            line, [{"points": -1, "kind": "consume", "partner_id": self.customer.id}]
        )
        self.assertEqual(self.contact.support_points_balance, 2)
        self.assertEqual(ticket.support_points_balance, 2)

    def test_agent_cannot_write_the_charge_fields(self):
        self._grant(self.customer, 3)
        ticket = self._ticket(user=self.helpdesk_user)
        as_agent = ticket.with_user(self.helpdesk_user)
        for vals in (
            {"support_charge_state": "charged"},
            {"support_points_charged": -50},
            {
                "support_charge_rule_id": self.env.ref(
                    "support_points.charge_rule_phone"
                ).id
            },
            {"support_points_refunded": True},
            {"support_fee_line_id": False},
        ):
            with self.assertRaisesRegex(AccessError, "cannot be changed by hand"):
                as_agent.write(vals)
        # a manager of points may not either: only the charge itself
        with self.assertRaises(AccessError):
            ticket.with_user(self.manager).write({"support_charge_state": "free"})
        # on create the charge fields are ignored
        created = self._ticket(
            user=self.helpdesk_user,
            support_charge_state="free",
            support_points_charged=7,
        )
        self.assertRecordValues(
            created, [{"support_charge_state": "none", "support_points_charged": 0}]
        )
        # the close still charges, through the charge code
        self._close(as_agent)
        self.assertRecordValues(
            ticket, [{"support_charge_state": "charged", "support_points_charged": 1}]
        )
        self.assertEqual(self._charge_lines(ticket).mapped("points"), [-1])

    def test_reopen_and_close_charges_once(self):
        self._grant(self.customer, 3)
        ticket = self._ticket()
        for _cycle in range(3):
            self._close(ticket)
            ticket.write({"stage_id": self.stage_progress.id})
        self._close(ticket)
        ticket.action_support_charge()
        self.assertEqual(len(self._charge_lines(ticket)), 1)
        self.assertEqual(self.customer.support_points_balance, 2)

    def test_portal_user_cannot_trigger_a_charge(self):
        self._grant(self.customer, 3)
        ticket = self._close(self._ticket(), self.stage_cancelled)
        with self.assertRaises(AccessError):
            ticket.with_user(self.portal_user).action_support_charge()
        self.assertEqual(ticket.support_charge_state, "none")

    def test_open_ticket_is_not_charged(self):
        self._grant(self.customer, 3)
        ticket = self._ticket()
        ticket.action_support_charge()
        self.assertEqual(ticket.support_charge_state, "none")
        self.assertFalse(self._charge_lines(ticket))

    def test_database_refuses_a_second_charge_line(self):
        self._grant(self.customer, 3)
        ticket = self._close(self._ticket())
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.Move.create(ticket._prepare_support_move_vals(-1, "consume"))

    def test_vendor_fault_credits_a_point(self):
        self._grant(self.customer, 1)
        ticket = self._close(self._ticket(support_vendor_fault=True))
        self.assertEqual(ticket.support_charge_state, "credited")
        self.assertEqual(ticket.support_points_charged, -1)
        self.assertRecordValues(
            self._charge_lines(ticket), [{"points": 1, "kind": "adjust"}]
        )
        self.assertEqual(self.customer.support_points_balance, 2)

    def test_email_and_web_are_free(self):
        self._grant(self.customer, 1)
        for channel in (self.channel_email, self.channel_web):
            ticket = self._close(self._ticket(channel=channel))
            self.assertEqual(ticket.support_charge_state, "free")
            self.assertFalse(self._charge_lines(ticket))
        self.assertEqual(self.customer.support_points_balance, 1)

    def _balance_row_version(self, partner):
        """The physical version of the customer's balance row and its locker:
        an update writes a new version (a new ctid), a row lock sets xmax."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ctid::text, xmax::text FROM support_points_balance "
            "WHERE partner_id = %s",
            [partner.id],
        )
        return self.env.cr.fetchone()

    def test_free_closing_leaves_the_balance_row_alone(self):
        """A free closing neither rewrites nor locks the customer's balance
        row, so it never waits for an agent charging the same customer."""
        self._grant(self.customer, 2)
        free = self._ticket(channel=self.channel_email)
        charged = self._ticket(channel=self.channel_phone)
        before = self._balance_row_version(self.customer)
        self._close(free)
        self.assertEqual(free.support_charge_state, "free")
        self.assertEqual(self._balance_row_version(self.customer), before)
        # the closing email states the balance: both figures in one query
        with self.assertQueryCount(1):
            self.assertEqual(free.support_points_balance, 2)
            self.assertFalse(free.support_points_low)
        free.invalidate_recordset(["support_points_balance", "support_points_low"])
        self.assertEqual(free.support_points_balance, 2)
        # a customer without any ledger line: no points, and low
        newcomer = self._close(
            self._ticket(partner=self.other_customer, channel=self.channel_web)
        )
        self.assertRecordValues(
            newcomer,
            [
                {
                    "support_charge_state": "free",
                    "support_points_balance": 0,
                    "support_points_low": True,
                }
            ],
        )
        # the probe sees a charge's lock and update
        self._close(charged)
        self.assertEqual(charged.support_charge_state, "charged")
        self.assertNotEqual(self._balance_row_version(self.customer), before)

    def test_other_channel_costs_one_point(self):
        self._grant(self.customer, 2)
        ticket = self._close(self._ticket(channel=self.channel_other))
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(
            ticket.support_charge_rule_id,
            self.env.ref("support_points.charge_rule_default"),
        )

    def test_cancelled_and_rejected_are_never_charged(self):
        self._grant(self.customer, 3)
        for stage in (self.stage_cancelled, self.stage_rejected):
            ticket = self._close(self._ticket(), stage)
            ticket.action_support_charge()
            self.assertEqual(ticket.support_charge_state, "none")
            self.assertFalse(self._charge_lines(ticket))
        self.assertEqual(self.customer.support_points_balance, 3)

    def test_ticket_without_customer_is_not_charged(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Anonymous",
                "description": "x",
                "partner_email": "x@nowhere.test",
                "channel_id": self.channel_phone.id,
            }
        )
        self._close(ticket)
        self.assertEqual(ticket.support_charge_state, "none")

    def test_empty_balance_adds_fee_line_to_single_draft_invoice(self):
        first = self._close(self._ticket(user=self.helpdesk_user))
        second = self._close(self._ticket(name="Again"))
        for ticket in (first, second):
            self.assertEqual(ticket.support_charge_state, "fee")
            self.assertEqual(ticket.support_points_charged, 0)
            self.assertEqual(ticket.support_fee_line_id.product_id, self.fee_product)
            self.assertIn(ticket.number, ticket.support_fee_line_id.name)
        invoice = first.support_fee_line_id.move_id
        self.assertEqual(invoice, second.support_fee_line_id.move_id)
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "draft",
                    "partner_id": self.customer.id,
                }
            ],
        )
        self.assertEqual(len(invoice.invoice_line_ids), 2)
        self.assertEqual(self.customer.support_points_balance, 0)
        self.assertFalse(self.Move.search([("partner_id", "=", self.customer.id)]))

    def test_fee_reuses_existing_draft_invoice_and_not_posted_ones(self):
        invoices = self.env["account.move"]
        posted = invoices.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    (0, 0, {"product_id": self.fee_product.id, "quantity": 1})
                ],
            }
        )
        posted.action_post()
        ticket = self._close(self._ticket())
        self.assertNotEqual(ticket.support_fee_line_id.move_id, posted)
        self.assertEqual(ticket.support_fee_line_id.move_id.state, "draft")

    def test_balance_not_covering_cost_is_fee_not_partial(self):
        self._grant(self.customer, 1)
        rule = self.env.ref("support_points.charge_rule_phone")
        rule.points = 2
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "fee")
        self.assertEqual(self.customer.support_points_balance, 1)

    def test_overdraft_policy_goes_negative(self):
        self.company.support_points_empty_policy = "overdraft"
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertFalse(ticket.support_fee_line_id)
        self.assertEqual(self.customer.support_points_balance, -1)

    def test_expired_points_do_not_pay(self):
        from datetime import date

        from freezegun import freeze_time

        with freeze_time("2026-01-01"):
            self._grant(self.customer, 1, expiry_date=date(2026, 1, 10))
        with freeze_time("2026-02-01"):
            ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "fee")
        self.assertEqual(
            self.Move.search(
                [("kind", "=", "expire"), ("partner_id", "=", self.customer.id)]
            ).points,
            -1,
        )

    def test_low_balance_activity_for_salesperson_once(self):
        salesperson = self.manager
        self.customer.user_id = salesperson
        self._grant(self.customer, 3)
        activity_type = self.env.ref("support_points.mail_activity_type_offer_pack")

        def activities():
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )

        self._close(self._ticket(user=self.helpdesk_user))
        self.assertFalse(activities(), "2 points left is above the threshold")
        self._close(self._ticket(user=self.helpdesk_user))
        self.assertEqual(activities().user_id, salesperson)
        self._close(self._ticket(user=self.helpdesk_user))
        self.assertEqual(len(activities()), 1)

    def test_manager_refund(self):
        self._grant(self.customer, 2)
        ticket = self._close(self._ticket())
        with self.assertRaises(AccessError):
            ticket.with_user(self.helpdesk_user).action_support_refund()
        ticket.with_user(self.manager).action_support_refund()
        self.assertTrue(ticket.support_points_refunded)
        refund = self.Move.search(
            [("ticket_id", "=", ticket.id), ("kind", "=", "refund")]
        )
        self.assertEqual(refund.points, 1)
        self.assertEqual(self.customer.support_points_balance, 2)
        with self.assertRaisesRegex(UserError, "already refunded"):
            ticket.with_user(self.manager).action_support_refund()
        # closing again after a refund does not charge again
        ticket.write({"stage_id": self.stage_progress.id})
        self._close(ticket)
        self.assertEqual(self.customer.support_points_balance, 2)

    def test_refund_of_fee_removes_draft_line(self):
        ticket = self._close(self._ticket())
        invoice = ticket.support_fee_line_id.move_id
        ticket.with_user(self.manager).action_support_refund()
        self.assertFalse(invoice.invoice_line_ids)
        self.assertTrue(ticket.support_points_refunded)

    def test_refund_of_free_ticket_is_refused(self):
        ticket = self._close(self._ticket(channel=self.channel_email))
        with self.assertRaisesRegex(UserError, "no charge to refund"):
            ticket.with_user(self.manager).action_support_refund()

    def test_first_matching_rule_by_sequence_wins(self):
        self._grant(self.customer, 5)
        rule = self.env["support.charge.rule"].create(
            {
                "name": "Priority tickets: three points",
                "sequence": 1,
                "ticket_domain": "[('priority', '=', '3')]",
                "points": 3,
            }
        )
        urgent = self._close(self._ticket(priority="3"))
        normal = self._close(self._ticket())
        self.assertEqual(urgent.support_charge_rule_id, rule)
        self.assertEqual(urgent.support_points_charged, 3)
        self.assertEqual(normal.support_points_charged, 1)

    def test_rule_naming_the_user_is_evaluated_at_each_closing(self):
        # a literal condition is parsed once; one naming the user is not:
        # the same rule must follow whoever closes the ticket
        self._grant(self.customer, 5)
        rule = self.env["support.charge.rule"].create(
            {
                "name": "Closed by its own agent: free",
                "sequence": 1,
                "ticket_domain": "[('user_id', '=', user.id)]",
                "points": 0,
            }
        )
        team_manager = new_test_user(
            self.env,
            login="sp_team_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
        )
        own = self._ticket(user_id=self.helpdesk_user.id)
        foreign = self._ticket(user_id=self.helpdesk_user.id)
        self._close(own.with_user(self.helpdesk_user))
        self._close(foreign.with_user(team_manager))
        self.assertEqual(own.support_charge_rule_id, rule)
        self.assertEqual(own.support_charge_state, "free")
        self.assertNotEqual(foreign.support_charge_rule_id, rule)
        self.assertEqual(foreign.support_points_charged, 1)

    def test_rule_of_other_company_is_ignored(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["support.charge.rule"].create(
            {
                "name": "Other company: free",
                "sequence": 1,
                "ticket_domain": "[]",
                "points": 0,
                "company_id": other.id,
            }
        )
        self._grant(self.customer, 2)
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "charged")

    def test_unparsable_rule_domain_is_refused(self):
        rules = self.env["support.charge.rule"].with_user(self.manager)
        count = rules.search_count([])
        for domain in ("[('channel_id', '=',", "[('no_such_field', '=', 1)]", "42"):
            with self.assertRaisesRegex(ValidationError, "cannot be used"):
                rules.create({"name": "Broken", "ticket_domain": domain, "points": 1})
        self.assertEqual(rules.search_count([]), count)

    def test_unparsable_rule_domain_write_changes_nothing(self):
        rule = self.env.ref("support_points.charge_rule_phone").with_user(self.manager)
        before = rule.ticket_domain
        with self.assertRaisesRegex(ValidationError, "Phone: one point"):
            rule.write({"ticket_domain": "[('channel_id', '=', "})
        rule.invalidate_recordset()
        self.assertEqual(rule.ticket_domain, before)

    def test_rules_editable_by_manager_only(self):
        rule = self.env.ref("support_points.charge_rule_phone")
        with self.assertRaises(AccessError):
            rule.with_user(self.helpdesk_user).write({"points": 2})
        rule.with_user(self.manager).write({"points": 2})
        self.assertEqual(rule.with_user(self.helpdesk_user).points, 2)

    def test_aborted_lock_reaches_odoo_with_cold_group_caches(self):
        """When taking the balance lock aborts the transaction (a lost race),
        the error reaching Odoo is the database's own, so that Odoo retries
        the request, even when the caller's groups are not cached yet:
        base_automation's error report reads them, which in an aborted
        transaction would raise "current transaction is aborted" instead."""

        def lock(moves, partner, company, ticket=None, today=None):
            # a real abort by an operational error, as a lost race is
            moves.env.cr.execute("SET LOCAL statement_timeout = 1")
            moves.env.cr.execute("SELECT pg_sleep(1)")

        self.patch(type(self.Move), "_lock_balance", lock)
        ticket = self._ticket(user=self.helpdesk_user)
        self.env.registry.clear_cache()
        self.env.registry.clear_cache("groups")
        with (
            self.assertRaises(psycopg2.errors.QueryCanceled),
            self.env.cr.savepoint(),
        ):
            self._close(ticket)

    def test_lost_lock_race_is_retried_not_masked(self):
        """A database error in the charge (e.g. a serialization failure on
        the balance lock, which Odoo retries) is raised as is, not wrapped in
        another exception: Odoo sees its code and retries the request."""
        error = psycopg2.errors.SerializationFailure("could not serialize access")

        def charge(ticket):
            raise error

        self.patch(type(self.env["helpdesk.ticket"]), "_support_charge", charge)
        ticket = self._ticket()
        with self.assertRaises(psycopg2.errors.SerializationFailure) as raised:
            self._close(ticket)
        self.assertIs(raised.exception, error)
