# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError

CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")


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
        the ticket's charge marks the ticket refunded first, then removes the
        line: that deletion goes through.
        """
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_support_points_booked(self):
        """A pack line goes only once its points were taken back."""
        booked = defaultdict(int)
        for (line_id, _partner, _company), points in (
            self.filtered(lambda line: line.display_type == "product")
            ._support_points_booked_by_account()
            .items()
        ):
            booked[line_id] += points
        lines = self.filtered(lambda line: booked.get(line.id))
        if lines:
            raise UserError(
                _(
                    "The points of pack line(s) %(lines)s on %(invoices)s are "
                    "still booked on the customer's points ledger. Reset the "
                    "invoice to draft (which takes the points back) before "
                    "deleting the line.",
                    lines=", ".join(lines.mapped("name")),
                    invoices=", ".join(lines.move_id.mapped("display_name")),
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

    def _support_points_booked_by_account(self):
        """Points on the ledger per (line, customer, company) for these lines."""
        if not self.ids:
            return {}
        # sudo: invoicing users post and reset invoices without points rights;
        # the sums only decide which correcting line to write
        groups = (
            self.env["support.points.move"]
            .sudo()
            ._read_group(
                [("invoice_line_id", "in", self.ids)],
                groupby=["invoice_line_id", "partner_id", "company_id"],
                aggregates=["points:sum"],
            )
        )
        return {
            (line.id, partner.id, company.id): points
            for line, partner, company, points in groups
        }

    def _support_points_due(self):
        """Points this line justifies now: signed, 0 unless posted."""
        self.ensure_one()
        move = self.move_id
        if (
            move.state != "posted"
            or move.move_type not in CUSTOMER_MOVE_TYPES
            or self.display_type != "product"
            or self.product_id.support_points <= 0
        ):
            return 0
        sign = 1 if move.move_type == "out_invoice" else -1
        return sign * self.product_id.support_points * round(self.quantity)

    def _support_points_sync(self, reason="post"):
        """Write the ledger lines that make the points follow these lines.

        For each line, the points booked per customer and company are
        brought to what the line justifies now (``_support_points_due``):
        the posted quantity for the invoice's customer and company, nothing
        elsewhere.  Points booked for another customer or company (the
        invoice's partner changed while it was in draft) are taken back from
        that account, never from the new one.  ``reason``: ``post``,
        ``draft`` or ``cancel``, for the ledger notes.
        """
        lines = self.filtered(
            lambda line: line.move_id.move_type in CUSTOMER_MOVE_TYPES
            and line.display_type == "product"
        )
        if not lines:
            return
        booked = lines._support_points_booked_by_account()
        delta = defaultdict(int)
        for (line_id, partner_id, company_id), points in booked.items():
            delta[line_id, partner_id, company_id] -= points
        for line in lines:
            due = line._support_points_due()
            if due:
                move = line.move_id
                key = (line.id, move.commercial_partner_id.id, move.company_id.id)
                delta[key] += due
        vals_list = []
        for (line_id, partner_id, company_id), points in delta.items():
            if not points:
                continue
            line = self.browse(line_id)
            vals_list.append(
                {
                    "partner_id": partner_id,
                    "company_id": company_id,
                    "points": points,
                    "kind": "purchase",
                    "invoice_line_id": line_id,
                    "note": line._support_points_note(reason),
                }
            )
        # sudo: the points follow from the invoice; the accountant posting or
        # resetting it need not be a points manager
        self.env["support.points.move"].sudo().create(vals_list)

    def _support_points_note(self, reason):
        self.ensure_one()
        move = self.move_id
        product = self.product_id.display_name
        if reason == "post":
            return _(
                "%(product)s on %(invoice)s",
                product=product,
                invoice=move.name,
            )
        if move.move_type == "out_refund":
            if reason == "cancel":
                return _(
                    "Credit note %(invoice)s cancelled: %(product)s points it "
                    "took back are given back",
                    invoice=move.name,
                    product=product,
                )
            return _(
                "Credit note %(invoice)s reset to draft: %(product)s points it "
                "took back are given back",
                invoice=move.name,
                product=product,
            )
        if reason == "cancel":
            return _(
                "Invoice %(invoice)s cancelled: %(product)s pack points taken back",
                invoice=move.name,
                product=product,
            )
        return _(
            "Invoice %(invoice)s reset to draft: %(product)s pack points taken back",
            invoice=move.name,
            product=product,
        )
