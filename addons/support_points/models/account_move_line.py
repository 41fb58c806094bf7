# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, models
from odoo.exceptions import UserError


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_support_fee(self):
        """An incident fee's line disappears only with the ticket's refund.

        Deleting the line (or its draft invoice) would leave the ticket
        saying "fee invoiced" with nothing ever billing it.  The refund of
        the ticket's charge removes the line itself, as superuser, after the
        points manager's right was checked: that deletion goes through.
        """
        if self.env.su:
            return
        tickets = self._support_points_fee_tickets()
        if tickets:
            raise UserError(
                _(
                    "The invoice line(s) on %(invoices)s bill the incident fee "
                    "of ticket(s) %(tickets)s. Refund the charge of the "
                    "ticket(s) first (a support points manager does it from "
                    "the ticket), or keep the line.",
                    invoices=", ".join(
                        tickets.support_fee_line_id.move_id.mapped("display_name")
                    ),
                    tickets=", ".join(tickets.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _support_points_fee_tickets(self):
        """Tickets whose unrefunded incident fee these lines bill."""
        if not self.ids:
            return self.env["helpdesk.ticket"]
        # sudo: an invoicing user may not read tickets; only their names are
        # shown, to say which charge to refund
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .search(
                [
                    ("support_fee_line_id", "in", self.ids),
                    ("support_charge_state", "=", "fee"),
                    ("support_points_refunded", "=", False),
                ]
            )
        )
