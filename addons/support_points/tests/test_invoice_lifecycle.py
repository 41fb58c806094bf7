# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Points and fees follow the invoice through every operation Odoo offers.

Each operation runs as an invoicing user without any points right; after it,
the customer's balance is the sum of its ledger (per company) and every pack
line holds exactly its posted quantity's points.
"""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user

from .common import SupportChargeCommon


class InvoiceLifecycleCommon(SupportChargeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="sp_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        # refunds the fee charges here; invoicing rights too, as a manager
        # without them cannot refund a fee yet (issue 19, refund part)
        cls.billing_manager = new_test_user(
            cls.env,
            login="sp_billing_manager",
            groups="support_points.group_support_points_manager,"
            "account.group_account_invoice",
        )
        cls.pack = cls.env["product.product"].create(
            {
                "name": "Buy 5, get 6",
                "type": "service",
                "list_price": 250.0,
                "support_points": 6,
            }
        )
        cls.big_pack = cls.env["product.product"].create(
            {
                "name": "Buy 40, get 50",
                "type": "service",
                "list_price": 2000.0,
                "support_points": 50,
            }
        )
        cls.consulting = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "list_price": 100.0}
        )

    def _invoice(self, quantity=1, post=True, product=None):
        invoice = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.contact.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": (product or self.pack).id,
                                "quantity": quantity,
                            }
                        ),
                        Command.create({"product_id": self.consulting.id}),
                    ],
                }
            )
        )
        if post:
            invoice.action_post()
        return invoice

    def _credit_note(self, invoice):
        """The draft credit note of the whole invoice (the reversal wizard)."""
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        reversal.refund_moves()
        return invoice.reversal_move_ids.filtered(lambda m: m.state == "draft")

    def _pack_line(self, invoice):
        return invoice.invoice_line_ids.filtered(
            lambda line: line.product_id.support_points
        )

    def _ledger(self, **domain):
        return self.Move.search(
            [("partner_id", "=", self.customer.id)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def _assert_points(self, balance):
        """Balance, ledger and posted pack lines agree."""
        self.env.flush_all()
        self.env.invalidate_all()
        for company in self.env["res.company"].search([]):
            moves = self.Move.search(
                [("partner_id", "=", self.customer.id), ("company_id", "=", company.id)]
            )
            row = self.env["support.points.balance"].search(
                [("partner_id", "=", self.customer.id), ("company_id", "=", company.id)]
            )
            self.assertEqual(row.balance, sum(moves.mapped("points")))
        self.assertEqual(
            self.customer.with_company(self.company).support_points_balance, balance
        )
        lines = self.env["account.move.line"].search(
            [
                ("move_id.commercial_partner_id", "=", self.customer.id),
                ("display_type", "=", "product"),
                ("product_id.support_points", ">", 0),
            ]
        )
        for line in lines:
            move = line.move_id
            due = 0
            if move.state == "posted":
                sign = 1 if move.move_type == "out_invoice" else -1
                due = sign * line.product_id.support_points * line.quantity
            booked = sum(self._ledger(invoice_line_id=line.id).mapped("points"))
            self.assertEqual(booked, due, f"{move.name}: {line.name}")

    def assertClearRefusal(self, raised, *names):
        message = str(raised.exception)
        for name in names:
            self.assertIn(name, message)
        self.assertNotIn("constraint", message.lower())
        self.assertNotIn("violates", message.lower())


class TestPackLifecycle(InvoiceLifecycleCommon):
    def test_reset_to_draft_takes_points_back_and_repost_books_again(self):
        invoice = self._invoice(quantity=2)
        self._assert_points(12)
        invoice.button_draft()
        self._assert_points(0)
        taken_back = self._ledger(points=-12)
        self.assertIn(invoice.name, taken_back.note)
        self.assertIn("reset to draft", taken_back.note)
        invoice.action_post()
        self._assert_points(12)

    def test_cancel_posted_invoice_takes_points_back(self):
        invoice = self._invoice(quantity=2)
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self._assert_points(0)
        self.assertIn("cancelled", self._ledger(points=-12).note)
        invoice.button_draft()
        invoice.action_post()
        self._assert_points(12)

    def test_quantity_raised_then_lowered_and_reposted(self):
        invoice = self._invoice(quantity=1)
        self._assert_points(6)
        for quantity, balance in ((3, 18), (1, 6)):
            invoice.button_draft()
            with Form(invoice) as form:
                with form.invoice_line_ids.edit(0) as line:
                    line.quantity = quantity
            invoice.action_post()
            self._assert_points(balance)

    def test_product_changed_on_draft_line(self):
        invoice = self._invoice()
        invoice.button_draft()
        self._pack_line(invoice).product_id = self.big_pack
        invoice.action_post()
        self._assert_points(50)
        invoice.button_draft()
        invoice.invoice_line_ids[0].product_id = self.consulting
        invoice.action_post()
        self._assert_points(0)

    def test_customer_changed_in_draft(self):
        invoice = self._invoice(quantity=2)
        invoice.button_draft()
        invoice.partner_id = self.other_customer
        invoice.action_post()
        # the points taken back came from the customer that was booked
        self._assert_points(0)
        other = self.customer.browse(self.other_customer.id)
        self.assertEqual(other.with_company(self.company).support_points_balance, 12)

    def test_pack_line_deleted_after_reset(self):
        invoice = self._invoice(quantity=2)
        invoice.button_draft()
        line = self._pack_line(invoice)
        invoice.write({"invoice_line_ids": [Command.delete(line.id)]})
        self.assertFalse(line.exists())
        invoice.action_post()
        self._assert_points(0)

    def test_draft_invoice_deleted_after_reset(self):
        invoice = self._invoice(quantity=2)
        invoice.button_draft()
        invoice.unlink()
        self.assertFalse(invoice.exists())
        self._assert_points(0)

    def test_line_with_points_still_booked_is_refused_clearly(self):
        # a line whose points are on the ledger while its invoice is in draft
        # (reset before this rule existed)
        invoice = self._invoice(post=False)
        line = self._pack_line(invoice)
        self.Move.create(
            {
                "partner_id": self.customer.id,
                "points": 6,
                "kind": "purchase",
                "invoice_line_id": line.id,
            }
        )
        with self.assertRaises(UserError) as raised:
            invoice.write({"invoice_line_ids": [Command.delete(line.id)]})
        self.assertClearRefusal(raised, "Buy 5, get 6", "Reset the invoice")
        self.assertTrue(line.exists())

    def test_full_credit_note_takes_points_back_once(self):
        invoice = self._invoice(quantity=2)
        credit_note = self._credit_note(invoice)
        credit_note.action_post()
        self._assert_points(0)
        # the credited invoice cannot be reset: it would take back again
        with self.assertRaises(UserError) as raised:
            invoice.button_draft()
        self.assertClearRefusal(raised, invoice.name, credit_note.name)
        self._assert_points(0)
        # the credit note reset to draft gives the points back
        credit_note.button_draft()
        self._assert_points(12)

    def test_credit_note_of_a_reset_invoice_is_refused(self):
        invoice = self._invoice(quantity=2)
        credit_note = self._credit_note(invoice)
        invoice.button_draft()
        self._assert_points(0)
        with self.assertRaises(UserError) as raised:
            credit_note.action_post()
        self.assertClearRefusal(raised, invoice.name, "Buy 5, get 6")
        self.assertEqual(credit_note.state, "draft")
        self._assert_points(0)

    def test_partial_credit_note(self):
        invoice = self._invoice(quantity=3)
        credit_note = self._credit_note(invoice)
        with Form(credit_note) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.quantity = 1
        credit_note.action_post()
        self._assert_points(12)
        second = self._credit_note(invoice)
        with Form(second) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.quantity = 2
        second.action_post()
        self._assert_points(0)
        # a third credit note would take back more than was sold
        third = self._credit_note(invoice)
        with self.assertRaises(UserError) as raised:
            third.action_post()
        self.assertClearRefusal(raised, invoice.name)
        self._assert_points(0)


class TestFeeLifecycle(InvoiceLifecycleCommon):
    def _fee_ticket(self):
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "fee")
        return ticket

    def test_fee_line_cannot_be_deleted(self):
        ticket = self._fee_ticket()
        line = ticket.support_fee_line_id.with_user(self.accountant)
        invoice = line.move_id
        with self.assertRaises(UserError) as raised:
            invoice.write({"invoice_line_ids": [Command.delete(line.id)]})
        self.assertClearRefusal(raised, ticket.display_name, "Refund the charge")
        self.assertTrue(line.exists())

    def test_draft_fee_invoice_cannot_be_deleted(self):
        ticket = self._fee_ticket()
        invoice = ticket.support_fee_line_id.move_id.with_user(self.accountant)
        with self.assertRaises(UserError) as raised:
            invoice.unlink()
        self.assertClearRefusal(raised, ticket.display_name, "Refund the charge")
        self.assertTrue(invoice.exists())
        # once the charge is refunded (which removes the line), it may go
        ticket.with_user(self.billing_manager).action_support_refund()
        invoice.unlink()
        self.assertFalse(invoice.exists())

    def test_fee_invoice_cannot_be_cancelled(self):
        ticket = self._fee_ticket()
        invoice = ticket.support_fee_line_id.move_id.with_user(self.accountant)
        with self.assertRaises(UserError) as raised:
            invoice.button_cancel()
        self.assertClearRefusal(raised, ticket.display_name, "Refund the charge")
        self.assertEqual(invoice.state, "draft")
        # two fees on the invoice: both must be refunded before it may go
        other = self._fee_ticket()
        self.assertEqual(other.support_fee_line_id.move_id, invoice)
        other.with_user(self.billing_manager).action_support_refund()
        with self.assertRaises(UserError):
            invoice.button_cancel()
        # posted, it cannot be cancelled either
        invoice.action_post()
        with self.assertRaises(UserError):
            invoice.button_cancel()
        self.assertEqual(invoice.state, "posted")

    def test_posted_fee_credit_note_notes_the_ticket(self):
        ticket = self._fee_ticket()
        invoice = ticket.support_fee_line_id.move_id.with_user(self.accountant)
        invoice.action_post()
        credit_note = self._credit_note(invoice)
        credit_note.action_post()
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(ticket.support_charge_state, "fee")
        notes = ticket.message_ids.filtered(
            lambda m: credit_note.name in (m.body or "")
        )
        self.assertTrue(notes)
        self._assert_points(0)
