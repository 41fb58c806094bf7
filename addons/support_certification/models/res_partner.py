# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_sla_tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        compute="_compute_support_sla_tier_id",
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
        tiers = self._get_support_sla_tiers(self.env.company)
        for partner in self:
            partner.support_sla_tier_id = tiers[partner.id]

    @api.depends("commercial_partner_id")
    def _compute_support_company_certification_ids(self):
        certs = self.env["support.certification"].search(
            [("commercial_partner_id", "in", self.commercial_partner_id.ids)]
        )
        for partner in self:
            partner.support_company_certification_ids = certs.filtered(
                lambda c, p=partner: c.commercial_partner_id == p.commercial_partner_id
            )

    def _get_support_sla_tiers(self, company, default_tier=None):
        """Return ``{partner id: tier}`` for ``company`` in a constant number of
        queries: the best (highest sequence) tier granted by a valid
        certification of any person of the commercial partner, else the
        company's default tier (possibly empty)."""
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
