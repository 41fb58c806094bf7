# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

TIER_SEARCH_OPERATORS = ("=", "!=", "in", "not in", "ilike", "not ilike")


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_sla_tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        compute="_compute_support_sla_tier_id",
        search="_search_support_sla_tier_id",
        help="Best tier among the customer's purchased periods in effect and "
        "the valid certifications of its people, else the company's default "
        "tier.",
    )
    support_certification_ids = fields.One2many(
        comodel_name="support.certification",
        inverse_name="partner_id",
        string="Certifications",
    )
    support_company_certification_ids = fields.Many2many(
        comodel_name="support.certification",
        string="Customer Certifications",
        compute="_compute_support_company_certification_ids",
        help="Certifications of all the people of this customer.",
    )
    support_sla_period_ids = fields.Many2many(
        comodel_name="support.sla.tier.period",
        string="Purchased SLA Periods",
        compute="_compute_support_sla_paid_until",
        help="The SLA tier periods the customer bought, in the current company.",
    )
    support_sla_paid_until = fields.Date(
        string="SLA Tier Paid Until",
        compute="_compute_support_sla_paid_until",
        help="Last day of the customer's purchased SLA tier periods (empty: no "
        "purchased period running or to come).",
    )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_support_sla_paid_until(self):
        periods = self.env["support.sla.tier.period"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("kind", "=", "purchase"),
            ]
        )
        paid_until = self.get_support_sla_paid_until(self.env.company)
        for partner in self:
            partner.support_sla_period_ids = periods.filtered(
                lambda p, c=partner.commercial_partner_id: p.partner_id == c
            )
            partner.support_sla_paid_until = paid_until.get(partner.id, False)

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id",
        "support_certification_ids.state",
        "support_certification_ids.date_expiry",
    )
    def _compute_support_sla_tier_id(self):
        tiers = self.get_support_sla_tiers(self.env.company)
        for partner in self:
            partner.support_sla_tier_id = tiers[partner.id]

    def _search_support_sla_tier_id(self, operator, value):
        """Partners whose tier (see the compute, in the current company) is
        one of ``value`` (tier ids, ``False`` for no tier, or a tier name
        with ``ilike``): the same rule as the compute, as one sub-query."""
        if operator not in TIER_SEARCH_OPERATORS:
            raise UserError(
                _(
                    "Partners cannot be searched by SLA tier with the operator "
                    "%(operator)s.",
                    operator=operator,
                )
            )
        # sudo: tiers and certifications only decide the SLA (portal users
        # may not read them); the sub-query yields partner ids, filtered
        # afterwards by the caller's own access to the partners.
        partner_sudo = self.sudo()
        tier_model = partner_sudo.env["support.sla.tier"]
        if operator in ("ilike", "not ilike"):
            tier_ids = tier_model.with_context(active_test=False)._search(
                [("name", "ilike", value)]
            )
            values = list(tier_ids)
        else:
            values = list(value) if isinstance(value, (list, tuple)) else [value]
        ids = tuple(v for v in values if v)
        with_empty = len(ids) < len(values)
        tier = SQL(
            "COALESCE(sla_best.tier_id, %s)",
            tier_model._get_default_tier(self.env.company).id or None,
        )
        conditions = []
        if ids:
            conditions.append(SQL("%s IN %s", tier, ids))
        if with_empty:
            conditions.append(SQL("%s IS NULL", tier))
        partners = SQL(
            "(SELECT partner.id FROM res_partner partner "
            "LEFT JOIN (%(best)s) sla_best "
            "ON sla_best.partner_id = partner.commercial_partner_id "
            "WHERE %(match)s)",
            best=partner_sudo._support_sla_best_tiers_sql(self.env.company),
            match=SQL(" OR ").join(conditions) if conditions else SQL("FALSE"),
        )
        positive = operator in ("=", "in", "ilike")
        return [("id", "in" if positive else "not in", partners)]

    @api.model
    def _support_sla_best_tiers_sql(self, company):
        """SQL of the rows ``(partner_id, tier_id)``: the best tier granted
        in ``company`` by a valid certification of the commercial partner's
        people, for the commercial partners that have one (the rule of
        ``get_support_sla_tiers``); call it in sudo, see
        ``_search_support_sla_tier_id``. The tiers come from the valid
        certifications and the purchased periods in effect."""
        certification = self.env["support.certification"]
        period = self.env["support.sla.tier.period"]
        self.flush_model(["commercial_partner_id"])
        self.env["support.sla.tier"].flush_model(["sequence"])
        tier_domain = [
            ("tier_id.company_id", "=", company.id),
            ("tier_id.active", "=", True),
        ]
        certifications = certification._search(
            certification._valid_domain()
            + [("commercial_partner_id", "!=", False)]
            + tier_domain
        )
        periods = period._search(period._active_domain() + tier_domain)
        return SQL(
            "SELECT DISTINCT ON (granted.partner_id) granted.partner_id, "
            "granted.tier_id FROM ("
            "SELECT %(cert_partner)s AS partner_id, %(cert_tier)s AS tier_id "
            "FROM %(cert_from)s WHERE %(cert_where)s "
            "UNION ALL "
            "SELECT %(period_partner)s, %(period_tier)s "
            "FROM %(period_from)s WHERE %(period_where)s"
            ") granted "
            "JOIN support_sla_tier best_tier ON best_tier.id = granted.tier_id "
            "ORDER BY granted.partner_id, best_tier.sequence DESC, best_tier.id DESC",
            cert_partner=SQL.identifier(certifications.table, "commercial_partner_id"),
            cert_tier=SQL.identifier(certifications.table, "tier_id"),
            cert_from=certifications.from_clause,
            cert_where=certifications.where_clause,
            period_partner=SQL.identifier(periods.table, "partner_id"),
            period_tier=SQL.identifier(periods.table, "tier_id"),
            period_from=periods.from_clause,
            period_where=periods.where_clause,
        )

    @api.depends("commercial_partner_id")
    def _compute_support_company_certification_ids(self):
        certs = self.env["support.certification"].search(
            [("commercial_partner_id", "in", self.commercial_partner_id.ids)]
        )
        for partner in self:
            partner.support_company_certification_ids = certs.filtered(
                lambda c, p=partner: c.commercial_partner_id == p.commercial_partner_id
            )

    @api.private
    def get_support_sla_tiers(self, company, default_tier=None):
        """Return ``{partner id: support.sla.tier}`` for the partners of
        ``self`` in ``company`` (a res.company record), in a constant number
        of queries: the best (highest sequence) tier granted by a valid
        certification of any person of the commercial partner or by a
        purchased period in effect (a bought tier, or a multi-period bonus
        tier), else the company's default tier (possibly empty). ``default_tier``: that
        default, when the caller already has it.

        Public API for other add-ons (see the readme), not callable over RPC.
        """
        # sudo: tiers, certifications and purchased periods only decide the
        # SLA; portal users creating tickets may not read them.
        certification = self.env["support.certification"].sudo()
        period = self.env["support.sla.tier.period"].sudo()
        tier_model = self.env["support.sla.tier"].sudo()
        if default_tier is None:
            default_tier = tier_model._get_default_tier(company)
        commercials = self.commercial_partner_id
        if not commercials:
            return dict.fromkeys(self.ids, default_tier)
        groups = certification._read_group(
            certification._valid_domain()
            + [
                ("commercial_partner_id", "in", commercials.ids),
                ("tier_id.company_id", "=", company.id),
                ("tier_id.active", "=", True),
            ],
            groupby=["commercial_partner_id", "tier_id"],
        )
        groups += period._read_group(
            period._active_domain()
            + [
                ("partner_id", "in", commercials.ids),
                ("tier_id.company_id", "=", company.id),
                ("tier_id.active", "=", True),
            ],
            groupby=["partner_id", "tier_id"],
        )
        best = {}
        for commercial, tier in groups:
            current = best.get(commercial.id)
            if not current or (tier.sequence, tier.id) > (current.sequence, current.id):
                best[commercial.id] = tier
        return {
            partner.id: best.get(partner.commercial_partner_id.id, default_tier)
            for partner in self
        }

    @api.private
    def get_support_sla_paid_until(self, company):
        """Return ``{partner id: date}`` for the partners of ``self`` in
        ``company``: the last day of the commercial partner's purchased SLA
        tier periods that run today or later (left out: none). One query for
        any number of partners; it reads with the caller's rights.

        Public API for other add-ons (see the readme), not callable over RPC.
        """
        commercials = self.commercial_partner_id
        if not commercials:
            return {}
        groups = self.env["support.sla.tier.period"]._read_group(
            [
                ("partner_id", "in", commercials.ids),
                ("company_id", "=", company.id),
                ("kind", "=", "purchase"),
                ("state", "=", "active"),
                ("date_end", ">=", fields.Date.context_today(self)),
            ],
            groupby=["partner_id"],
            aggregates=["date_end:max"],
        )
        ends = {partner.id: date_end for partner, date_end in groups}
        return {
            partner.id: ends[partner.commercial_partner_id.id]
            for partner in self
            if partner.commercial_partner_id.id in ends
        }

    def _get_support_sla_tiers(self, company, default_tier=None):
        # the former name, until customer_letters calls get_support_sla_tiers
        return self.get_support_sla_tiers(company, default_tier=default_tier)
