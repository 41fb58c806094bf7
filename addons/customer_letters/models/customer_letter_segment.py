# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from ast import literal_eval
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

# Fields of a segment that decide who receives the letter: changing one of
# them on an approved letter sends the letter back to draft.
SEGMENT_CONTENT_FIELDS = {
    "domain",
    "min_tenure_years",
    "min_closed_tickets",
    "closed_tickets_months",
    "chargeable_only",
    "use_max_points",
    "max_points_balance",
    "sla_tier_ids",
    "paragraph",
    "grant_points",
    "grant_expiry_date",
    "letter_id",
}


class CustomerLetterSegment(models.Model):
    _name = "customer.letter.segment"
    _description = "Customer letter segment"
    _order = "letter_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    letter_id = fields.Many2one(
        comodel_name="customer.letter",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="letter_id.company_id", store=True, index=True, precompute=True
    )
    domain = fields.Char(
        string="Extra filter",
        default="[]",
        required=True,
        help="Additional filter on customers (commercial partners), "
        "combined with the criteria below.",
    )
    min_tenure_years = fields.Integer(
        string="Customer for at least (years)",
        help="Customers whose first invoice or first ticket is at least this "
        "many years old. 0 means no condition.",
    )
    min_closed_tickets = fields.Integer(
        string="At least N tickets closed",
        help="0 means no condition.",
    )
    closed_tickets_months = fields.Integer(
        string="In the last (months)",
        default=12,
    )
    chargeable_only = fields.Boolean(
        string="Only chargeable tickets",
        help="Count only tickets that cost points or a fee.",
    )
    use_max_points = fields.Boolean(string="Limit the points balance")
    max_points_balance = fields.Integer(string="Points balance at most")
    sla_tier_ids = fields.Many2many(
        comodel_name="support.sla.tier",
        relation="customer_letter_segment_sla_tier_rel",
        column1="segment_id",
        column2="tier_id",
        string="SLA tiers",
        help="Customers whose current SLA tier is one of these. Empty: any tier.",
    )
    paragraph = fields.Html(
        translate=True,
        help="Extra paragraph inserted at {{ object.segment_paragraphs }} for "
        "the customers of this segment.",
    )
    grant_points = fields.Integer(
        string="Points to grant",
        help="Service points credited once to every customer of this segment "
        "when the letter is sent. 0: no grant.",
    )
    grant_expiry_date = fields.Date(string="Granted points expire on")
    recipient_count = fields.Integer(
        string="Customers", compute="_compute_recipient_count"
    )

    _sql_constraints = [
        (
            "grant_points_not_negative",
            "CHECK(grant_points >= 0)",
            "A segment cannot grant a negative number of points.",
        ),
    ]

    @api.depends(
        "domain",
        "min_tenure_years",
        "min_closed_tickets",
        "closed_tickets_months",
        "chargeable_only",
        "use_max_points",
        "max_points_balance",
        "sla_tier_ids",
        "letter_id.company_id",
    )
    def _compute_recipient_count(self):
        for segment in self:
            company = segment.letter_id.company_id or self.env.company
            partners = self.env["res.partner"].with_company(company)
            try:
                domain = segment._get_partner_domain()
            except ValidationError:
                segment.recipient_count = 0
                continue
            segment.recipient_count = partners.search_count(domain)

    @api.constrains("domain")
    def _check_domain(self):
        for segment in self:
            segment._parse_domain()

    @api.constrains("grant_points", "grant_expiry_date")
    def _check_grant(self):
        for segment in self:
            if segment.grant_points < 0:
                raise ValidationError(
                    _(
                        "Segment %(segment)s: the points to grant must be positive "
                        "(or 0 for no grant).",
                        segment=segment.display_name,
                    )
                )
            if segment.grant_expiry_date and not segment.grant_points:
                raise ValidationError(
                    _(
                        "Segment %(segment)s has an expiry date but no points to "
                        "grant; set the points or clear the date.",
                        segment=segment.display_name,
                    )
                )

    @api.constrains(
        "min_tenure_years",
        "min_closed_tickets",
        "closed_tickets_months",
    )
    def _check_criteria(self):
        for segment in self:
            if segment.min_tenure_years < 0 or segment.min_closed_tickets < 0:
                raise ValidationError(
                    _(
                        "Segment %(segment)s: years and ticket counts cannot be "
                        "negative.",
                        segment=segment.display_name,
                    )
                )
            if segment.min_closed_tickets and segment.closed_tickets_months <= 0:
                raise ValidationError(
                    _(
                        "Segment %(segment)s: the ticket period must be at least "
                        "one month.",
                        segment=segment.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        segments = super().create(vals_list)
        segments.letter_id._reset_to_draft_on_change()
        return segments

    def write(self, vals):
        letters = self.letter_id
        res = super().write(vals)
        if SEGMENT_CONTENT_FIELDS & set(vals):
            (letters | self.letter_id)._reset_to_draft_on_change()
        return res

    def unlink(self):
        letters = self.letter_id
        res = super().unlink()
        letters.exists()._reset_to_draft_on_change()
        return res

    # ------------------------------------------------------------------
    # Matching: every criterion becomes a domain (with SQL sub-queries), so
    # counting and selecting customers is one SQL query per segment.
    # ------------------------------------------------------------------

    def _parse_domain(self):
        self.ensure_one()
        try:
            domain = literal_eval(self.domain or "[]")
            expression.normalize_domain(domain)
            # validate field names and operators without running the query
            self.env["res.partner"]._search(domain)
        except Exception as exc:
            raise ValidationError(
                _(
                    "Segment %(segment)s: the extra filter is not a valid domain "
                    "on contacts (%(error)s).",
                    segment=self.display_name,
                    error=exc,
                )
            ) from exc
        return domain

    @api.model
    def _customer_base_domain(self, company):
        """Commercial partners that are customers: they have been invoiced or
        have opened at least one ticket in the company."""
        # sudo: the sub-query only yields partner ids, it exposes no ticket
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        ticket_partners = tickets._search(
            [("commercial_partner_id", "!=", False), ("company_id", "=", company.id)]
        )
        return [
            ("active", "=", True),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
            ("company_id", "in", [False, company.id]),
            "|",
            ("customer_rank", ">", 0),
            ("id", "in", ticket_partners.subselect("commercial_partner_id")),
        ]

    def _tenure_domain(self, company):
        """Customers whose first ticket or invoice in the company is old
        enough."""
        cutoff = fields.Date.context_today(self) - relativedelta(
            years=self.min_tenure_years
        )
        # sudo: the sub-queries only yield partner ids (tenure test)
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        old_tickets = tickets._search(
            [
                (
                    "create_date",
                    "<",
                    fields.Datetime.to_datetime(cutoff + timedelta(1)),
                ),
                ("company_id", "=", company.id),
            ]
        )
        invoices = self.env["account.move"].sudo()
        old_invoices = invoices._search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date", "<=", cutoff),
                ("company_id", "=", company.id),
            ]
        )
        return [
            "|",
            ("id", "in", old_tickets.subselect("commercial_partner_id")),
            ("id", "in", old_invoices.subselect("commercial_partner_id")),
        ]

    def _closed_tickets_domain(self, company):
        """Customers with enough tickets closed in the company lately."""
        since = fields.Datetime.now() - relativedelta(months=self.closed_tickets_months)
        ticket_domain = [
            ("closed_date", ">=", since),
            ("stage_id.closed", "=", True),
            ("commercial_partner_id", "!=", False),
            ("company_id", "=", company.id),
        ]
        if self.chargeable_only:
            ticket_domain.append(("support_charge_state", "in", ("charged", "fee")))
        # sudo: the sub-query only yields partner ids (ticket counts)
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        query = tickets._search(ticket_domain)
        partner_col = SQL.identifier(query.table, "commercial_partner_id")
        subquery = SQL(
            "(SELECT %s FROM %s WHERE %s GROUP BY %s HAVING COUNT(*) >= %s)",
            partner_col,
            query.from_clause,
            query.where_clause,
            partner_col,
            self.min_closed_tickets,
        )
        return [("id", "in", subquery)]

    def _points_domain(self):
        # the balance is searchable (support_points); it is the balance shown
        # on the partner, in the letter's company
        return [("support_points_balance", "<=", self.max_points_balance)]

    def _sla_tier_domain(self):
        # support_certification's partner tier is searchable with the rule of
        # its compute; the search runs in the letter's company (with_company)
        return [("support_sla_tier_id", "in", self.sla_tier_ids.ids)]

    def _get_partner_domain(self):
        """The customers of this segment, as a domain on res.partner."""
        self.ensure_one()
        company = self.letter_id.company_id or self.env.company
        domains = [self._customer_base_domain(company), self._parse_domain()]
        if self.min_tenure_years:
            domains.append(self._tenure_domain(company))
        if self.min_closed_tickets:
            domains.append(self._closed_tickets_domain(company))
        if self.use_max_points:
            domains.append(self._points_domain())
        if self.sla_tier_ids:
            domains.append(self._sla_tier_domain())
        return expression.AND(domains)

    def _get_partners(self):
        self.ensure_one()
        company = self.letter_id.company_id or self.env.company
        partners = self.env["res.partner"].with_company(company)
        return partners.search(self._get_partner_domain(), order="id")

    def _matches(self, partner):
        self.ensure_one()
        domain = expression.AND([self._get_partner_domain(), [("id", "=", partner.id)]])
        company = self.letter_id.company_id or self.env.company
        partners = self.env["res.partner"].with_company(company)
        return bool(partners.search_count(domain, limit=1))
