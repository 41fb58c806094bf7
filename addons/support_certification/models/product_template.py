# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    support_sla_months = fields.Integer(
        string="SLA Tier Duration (months)",
        default=12,
        help="Months of SLA tier one unit of this product buys, when it is the "
        "price product of an SLA tier.",
    )
    support_sla_tier_ids = fields.Many2many(
        comodel_name="support.sla.tier",
        string="Sold SLA Tiers",
        compute="_compute_support_sla_tier_ids",
        help="SLA tiers this product sells.",
    )

    @api.depends("product_variant_ids")
    def _compute_support_sla_tier_ids(self):
        tiers = self.env["support.sla.tier"].search(
            [("product_id", "in", self.product_variant_ids.ids)]
        )
        for template in self:
            template.support_sla_tier_ids = tiers.filtered(
                lambda t, tmpl=template: t.product_id.product_tmpl_id == tmpl
            )

    @api.constrains("support_sla_months")
    def _check_support_sla_months(self):
        for template in self:
            if template.support_sla_months < 1:
                raise ValidationError(
                    _(
                        "Product %(product)s: an SLA tier is sold for at least "
                        "one month (got %(months)s).",
                        product=template.name,
                        months=template.support_sla_months,
                    )
                )
