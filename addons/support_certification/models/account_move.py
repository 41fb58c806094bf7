# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class AccountMove(models.Model):
    """Tier periods and pending certifications follow the invoice's life.

    Posting an invoice grants what its tier and training lines sell;
    resetting it to draft or cancelling it takes that back; posting a credit
    note of it takes back what the credit note credits, and resetting or
    cancelling the credit note gives it back
    (``account.move.line._support_certification_sync``).
    """

    _inherit = "account.move"

    def _post(self, soft=True):
        self.invoice_line_ids._support_check_before_post()
        posted = super()._post(soft=soft)
        posted._support_certification_sync("post")
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._support_certification_sync(
            self.env.context.get("support_certification_reason", "draft")
        )
        return res

    def button_cancel(self):
        # a posted invoice is reset to draft first (by button_draft), which
        # takes back what it granted: the notes say it was cancelled
        moves = self.with_context(support_certification_reason="cancel")
        res = super(AccountMove, moves).button_cancel()
        self._support_certification_sync("cancel")
        return res

    def _support_certification_sync(self, reason):
        """Sync the lines of these invoices, and of the invoices these
        credit notes credit."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        credited = self.filtered(
            lambda m: m.move_type == "out_refund"
        ).reversed_entry_id
        invoices.invoice_line_ids._support_certification_sync(reason)
        (credited - invoices).invoice_line_ids._support_certification_sync("credit")
