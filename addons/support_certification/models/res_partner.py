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
        help="Best tier among the valid certifications of the customer's people, "
        "else the company's default tier.",
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
        ``_search_support_sla_tier_id``."""
        certification = self.env["support.certification"]
        self.flush_model(["commercial_partner_id"])
        self.env["support.sla.tier"].flush_model(["sequence"])
        query = certification._search(
            certification._valid_domain()
            + [
                ("commercial_partner_id", "!=", False),
                ("tier_id.company_id", "=", company.id),
                ("tier_id.active", "=", True),
            ]
        )
        partner = SQL.identifier(query.table, "commercial_partner_id")
        tier = SQL.identifier(query.table, "tier_id")
        return SQL(
            "SELECT DISTINCT ON (%(partner)s) %(partner)s AS partner_id, "
            "%(tier)s AS tier_id FROM %(from)s "
            "JOIN support_sla_tier best_tier ON best_tier.id = %(tier)s "
            "WHERE %(where)s "
            "ORDER BY %(partner)s, best_tier.sequence DESC, best_tier.id DESC",
            partner=partner,
            tier=tier,
            **{"from": query.from_clause, "where": query.where_clause},
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
        certification of any person of the commercial partner, else the
        company's default tier (possibly empty). ``default_tier``: that
        default, when the caller already has it.

        Public API for other add-ons (see the readme), not callable over RPC.
        """
        # sudo: tiers and certifications only decide the SLA; portal users
        # creating tickets may not read them.
        certification = self.env["support.certification"].sudo()
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
        best = {}
        for commercial, tier in groups:
            current = best.get(commercial.id)
            if not current or (tier.sequence, tier.id) > (current.sequence, current.id):
                best[commercial.id] = tier
        return {
            partner.id: best.get(partner.commercial_partner_id.id, default_tier)
            for partner in self
        }

    def _get_support_sla_tiers(self, company, default_tier=None):
        # the former name, until customer_letters calls get_support_sla_tiers
        return self.get_support_sla_tiers(company, default_tier=default_tier)
