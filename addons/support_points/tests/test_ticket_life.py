# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import new_test_user

from .common import SupportChargeCommon


class TestTicketLife(SupportChargeCommon):
    """What happens to a ticket after it was charged leaves its charge on the
    account that paid: refunds go back there, copies and stage moves charge
    nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.manager.write(
            {"company_ids": [Command.link(cls.other_company.id)]},
        )
        cls.other_contact = cls.Partner.create(
            {"name": "Gus Globex", "parent_id": cls.other_customer.id}
        )

    def _charged_ticket(self):
        self._grant(self.customer, 2)
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(self.customer.support_points_balance, 1)
        return ticket

    def _refund_as_manager(self, ticket):
        self.env.invalidate_all()
        companies = self.company | self.other_company
        ticket.with_user(self.manager).with_context(
            allowed_company_ids=companies.ids
        ).action_support_refund()

    def _assert_refunded_to_payer(self, ticket):
        refund = self.Move.search(
            [("ticket_id", "=", ticket.id), ("kind", "=", "refund")]
        )
        self.assertEqual(refund.partner_id, self.customer)
        self.assertEqual(refund.company_id, self.company)
        self.assertEqual(refund.points, 1)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 2)
        self.assertFalse(
            self.Move.search([("partner_id", "=", self.other_customer.id)]),
            "the new customer was never charged and gets nothing",
        )
        self._assert_consistent(self.customer)

    def test_refund_after_the_ticket_customer_changed(self):
        ticket = self._charged_ticket()
        ticket.write({"partner_id": self.other_contact.id})
        self.assertEqual(ticket.commercial_partner_id, self.other_customer)
        self._refund_as_manager(ticket)
        self._assert_refunded_to_payer(ticket)

    def test_refund_after_the_contact_changed_company(self):
        ticket = self._charged_ticket()
        self.contact.write({"parent_id": self.other_customer.id})
        self.assertEqual(ticket.commercial_partner_id, self.other_customer)
        self._refund_as_manager(ticket)
        self._assert_refunded_to_payer(ticket)

    def test_refund_after_the_ticket_company_changed(self):
        ticket = self._charged_ticket()
        ticket.write({"company_id": self.other_company.id})
        # moving the ticket moves no points
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 1)
        self.assertFalse(self.Move.search([("company_id", "=", self.other_company.id)]))
        self._refund_as_manager(ticket)
        self._assert_refunded_to_payer(ticket)

    def test_points_manager_without_invoicing_rights_refunds_a_fee(self):
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "fee")
        invoice = ticket.support_fee_line_id.move_id
        self.assertFalse(self.manager.has_group("account.group_account_invoice"))
        self._refund_as_manager(ticket)
        self.assertFalse(invoice.invoice_line_ids)
        self.assertTrue(ticket.support_points_refunded)

    def test_copy_of_a_charged_ticket_is_not_charged(self):
        ticket = self._charged_ticket()
        copy = ticket.with_user(self.helpdesk_user).copy()
        self.assertEqual(copy.support_charge_state, "none")
        self.assertFalse(copy.support_points_charged)
        self.assertFalse(copy.support_charge_rule_id)
        self.assertFalse(copy.support_fee_line_id)
        self.assertFalse(copy.support_points_refunded)
        self.assertFalse(self._charge_lines(copy))
        self.assertEqual(self.customer.support_points_balance, 1)

    def test_no_charge_stage_after_charging_changes_nothing(self):
        ticket = self._charged_ticket()
        ticket.with_user(self.helpdesk_user).write(
            {"stage_id": self.stage_cancelled.id}
        )
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(ticket.support_points_charged, 1)
        self.assertEqual(len(self._charge_lines(ticket)), 1)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 1)

    def test_archived_rule_keeps_its_charges_and_charges_no_more(self):
        """Archiving a rule (a points manager's edit) leaves the tickets it
        charged as they are, refundable to the payer; new closings go to the
        next matching rule."""
        phone_rule = self.env.ref("support_points.charge_rule_phone")
        ticket = self._charged_ticket()
        self.assertEqual(ticket.support_charge_rule_id, phone_rule)
        phone_rule.with_user(self.manager).action_archive()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.support_charge_rule_id, phone_rule)
        self._refund_as_manager(ticket)
        self._assert_refunded_to_payer(ticket)
        later = self._close(self._ticket())
        self.assertEqual(
            later.support_charge_rule_id,
            self.env.ref("support_points.charge_rule_default"),
        )
        self.assertEqual(later.support_charge_state, "charged")
        self._assert_consistent(self.customer)

    def test_archived_customer_keeps_its_points(self):
        """Archiving a customer and bringing it back moves no points: its
        balance still equals its ledger, and its tickets are charged as
        before."""
        self._grant(self.customer, 3)
        partner_manager = new_test_user(
            self.env,
            login="sp_partner_manager",
            groups="base.group_user,base.group_partner_manager",
        )
        self.customer.with_user(partner_manager).action_archive()
        self.assertEqual(self.customer.with_context(active_test=False).active, False)
        self._assert_consistent(self.customer)
        self.customer.with_user(partner_manager).action_unarchive()
        self.assertEqual(self.customer.support_points_balance, 3)
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(self.customer.support_points_balance, 2)
        self._assert_consistent(self.customer)
