# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


# a file of its own: how the balance reads on screens, apart from the charge
# logic of helpdesk_ticket.py
class HelpdeskTicket(models.Model):
    """How the customer's balance reads on the ticket kanban, list and form."""

    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    support_points_display = fields.Selection(
        selection=[
            ("none", "Not in the points scheme"),
            ("empty", "No points"),
            ("ok", "Points left"),
            ("low", "Low balance"),
        ],
        string="Points status",
        compute="_compute_support_points_display",
        help="Not in the points scheme: the customer never had points and no "
        "charge rule of the company charges points (nothing to show). No "
        "points: the customer never had points, but closing a ticket may "
        "charge some. Low balance: at or below the company's low-balance "
        "threshold.",
    )
    support_points_label = fields.Char(
        string="Points",
        compute="_compute_support_points_display",
        help="The customer's balance in words, e.g. 1 point, 12 points.",
    )

    @api.depends_context("lang")
    @api.depends("commercial_partner_id", "company_id", "support_points_balance")
    def _compute_support_points_display(self):
        """One query for the customers with a ledger and one for the rules
        per company: a page of tickets costs two queries per company."""
        for company, tickets in self.grouped("company_id").items():
            partners = tickets.commercial_partner_id._origin
            in_scheme = tickets._support_points_customers(partners, company)
            charges = self._support_points_charged_in(company)
            threshold = company.support_points_low_threshold
            for ticket in tickets:
                partner = ticket.commercial_partner_id._origin
                balance = ticket.support_points_balance
                if not partner or not company:
                    state = "none"
                elif partner in in_scheme:
                    state = "low" if balance <= threshold else "ok"
                else:
                    state = "empty" if charges else "none"
                ticket.support_points_display = state
                ticket.support_points_label = self._support_points_words(balance, state)

    @api.model
    def _support_points_words(self, balance, state="ok"):
        """``balance`` in words: "No points", "1 point", "12 points"."""
        if state in ("none", "empty"):
            balance = 0
        return self.env["res.partner"]._support_points_words(balance)

    def _support_points_customers(self, partners, company):
        """The ``partners`` (commercial partners of these tickets) that have
        a ledger in ``company``: customers in the points scheme, whatever
        their balance."""
        if not partners or not company:
            return partners.browse()
        groups = self.env["support.points.move"]._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
            groupby=["partner_id"],
        )
        return partners.browse([partner.id for (partner,) in groups])

    @api.model
    def _support_points_charged_in(self, company):
        """Whether an active charge rule of ``company`` charges points."""
        rules = self.env["support.charge.rule"]
        if not company or not rules.has_access("read"):
            # who may not read the rules (a customer on the portal): the
            # balance shows, as if closing a ticket charged points
            return bool(company)
        return bool(
            rules.search_count(
                [("company_id", "in", (False, company.id)), ("points", ">", 0)],
                limit=1,
            )
        )
