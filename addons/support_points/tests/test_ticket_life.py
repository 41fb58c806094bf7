# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command

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
