# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._support_points_book_packs()
        return posted

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
