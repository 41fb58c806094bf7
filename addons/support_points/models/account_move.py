# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import _, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """Points of pack lines follow the invoice's life; fee lines stay billed.

    A pack line's points are on the ledger exactly while its invoice is
    posted, in the posted quantity: posting books them, resetting to draft
    or cancelling takes them back, posting again books the quantity posted
    then (``account.move.line._support_points_sync``).  A credit note takes
    back the points of its pack lines, never more than its invoice booked.
    """

    _inherit = "account.move"

    def _post(self, soft=True):
        self._support_points_check_credit_notes()
        posted = super()._post(soft=soft)
        posted.invoice_line_ids._support_points_sync("post")
        posted._support_points_log_fee_credit_notes()
        return posted

    def button_draft(self):
        self._support_points_check_draftable()
        res = super().button_draft()
        self.invoice_line_ids._support_points_sync(
            self.env.context.get("support_points_reason", "draft")
        )
        return res

    def button_cancel(self):
        self._support_points_check_fee_kept()
        # a posted invoice is reset to draft first (by button_draft), which
        # takes its pack points back: the notes say it was cancelled
        moves = self.with_context(support_points_reason="cancel")
        res = super(AccountMove, moves).button_cancel()
        self.invoice_line_ids._support_points_sync("cancel")
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

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

    def _support_points_pack_lines(self):
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
            and line.product_id.support_points > 0
        )

    def _support_points_check_draftable(self):
        """An invoice whose packs a posted credit note took back stays posted.

        Resetting it would take the same points back a second time.
        """
        for move in self.filtered(lambda m: m.move_type == "out_invoice"):
            credit_notes = move.reversal_move_ids.filtered(
                lambda m: m.state == "posted" and m._support_points_pack_lines()
            )
            if credit_notes and move._support_points_pack_lines():
                raise UserError(
                    _(
                        "The credit note(s) %(credit_notes)s already took back "
                        "the pack points of %(invoice)s. Reset the credit "
                        "note(s) to draft first, or keep the invoice posted.",
                        credit_notes=", ".join(credit_notes.mapped("display_name")),
                        invoice=move.display_name,
                    )
                )

    def _support_points_check_credit_notes(self):
        """A credit note takes back at most the packs its invoice booked.

        Per pack product: the quantity of the posted credit notes of an
        invoice (these included) stays within the quantity the invoice
        booked, which is 0 when the invoice is not posted (its points were
        already taken back when it was reset or cancelled).
        """
        credit_notes = self.filtered(
            lambda m: m.move_type == "out_refund"
            and m.state == "draft"
            and m.reversed_entry_id
            and m._support_points_pack_lines()
        )
        for invoice in credit_notes.reversed_entry_id:
            refunds = invoice.reversal_move_ids.filtered(
                lambda m, notes=credit_notes: m.state == "posted" or m in notes
            )
            booked = defaultdict(float)
            if invoice.state == "posted":
                for line in invoice._support_points_pack_lines():
                    booked[line.product_id] += line.quantity
            credited = defaultdict(float)
            for line in refunds._support_points_pack_lines():
                credited[line.product_id] += line.quantity
            for product, quantity in credited.items():
                if quantity > booked[product]:
                    raise UserError(
                        _(
                            "The credit note(s) %(credit_notes)s of %(invoice)s "
                            "would take back %(credited)s × %(product)s, but "
                            "the invoice has %(booked)s posted: its points "
                            "were already taken back. Lower the quantity on "
                            "the credit note, or post the invoice again first.",
                            credit_notes=", ".join(refunds.mapped("display_name")),
                            invoice=invoice.display_name,
                            credited=quantity,
                            product=product.display_name,
                            booked=booked[product],
                        )
                    )

    def _support_points_log_fee_credit_notes(self):
        """Tell each ticket whose fee a posted credit note credits."""
        for credit_note in self.filtered(
            lambda m: m.move_type == "out_refund" and m.reversed_entry_id
        ):
            invoice = credit_note.reversed_entry_id
            tickets = invoice.invoice_line_ids._support_points_fee_tickets()
            if not tickets:
                continue
            body = _(
                "Credit note %(credit_note)s credits invoice %(invoice)s, which "
                "billed the incident fee of this ticket. The ticket stays "
                "charged with the fee.",
                credit_note=credit_note.display_name,
                invoice=invoice.display_name,
            )
            # sudo (tickets found with sudo): the invoicing user may not write
            # on tickets; the note only states the credit note
            tickets._message_log_batch(dict.fromkeys(tickets.ids, body))
