# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._support_points_book_packs()
        posted._support_points_log_fee_credit_notes()
        return posted

    def button_cancel(self):
        self._support_points_check_fee_kept()
        return super().button_cancel()

    def _support_points_book_packs(self):
        """Grant (invoice) or take back (credit note) points of pack lines.

        Once per invoice line: re-posting an invoice reset to draft does not
        grant again (a unique index on the ledger enforces it too).
        """
        customer_moves = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        )
        lines = customer_moves.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
            and line.product_id.support_points > 0
            and line.quantity
        )
        if not lines:
            return
        # sudo: the points follow from the posted invoice; the accountant
        # posting it need not be a points manager
        ledger = self.env["support.points.move"].sudo()
        booked = ledger.search([("invoice_line_id", "in", lines.ids)]).invoice_line_id
        vals_list = []
        for line in lines - booked:
            move = line.move_id
            points = line.product_id.support_points * round(line.quantity)
            if not points:
                continue
            sign = 1 if move.move_type == "out_invoice" else -1
            vals_list.append(
                {
                    "partner_id": move.commercial_partner_id.id,
                    "company_id": move.company_id.id,
                    "points": sign * points,
                    "kind": "purchase",
                    "invoice_line_id": line.id,
                    "note": _(
                        "%(product)s on %(invoice)s",
                        product=line.product_id.display_name,
                        invoice=move.name,
                    ),
                }
            )
        ledger.create(vals_list)

    def _support_points_check_fee_kept(self):
        """Refuse to cancel an invoice that bills an unrefunded incident fee."""
        tickets = self.invoice_line_ids._support_points_fee_tickets()
        if tickets:
            raise UserError(
                _(
                    "%(invoices)s bill(s) the incident fee of ticket(s) "
                    "%(tickets)s: cancelling would drop the fee. Refund the "
                    "charge of the ticket(s) first (a support points manager "
                    "does it from the ticket), or keep the invoice.",
                    invoices=", ".join(
                        tickets.support_fee_line_id.move_id.mapped("display_name")
                    ),
                    tickets=", ".join(tickets.mapped("display_name")),
                )
            )

    def _support_points_log_fee_credit_notes(self):
        """Tell each ticket whose fee a posted credit note credits."""
        for credit_note in self.filtered(
            lambda m: m.move_type == "out_refund" and m.reversed_entry_id
        ):
            invoice = credit_note.reversed_entry_id
            tickets = invoice.invoice_line_ids._support_points_fee_tickets()
            for ticket in tickets:
                # sudo (tickets found with sudo): the invoicing user may not
                # write on tickets; the note only states the credit note
                ticket._message_log(
                    body=_(
                        "Credit note %(credit_note)s credits invoice "
                        "%(invoice)s, which billed the incident fee of this "
                        "ticket. The ticket stays charged with the fee.",
                        credit_note=credit_note.display_name,
                        invoice=invoice.display_name,
                    )
                )
