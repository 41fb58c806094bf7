# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SupportCertificationLevel(models.Model):
    _name = "support.certification.level"
    _description = "Certification Level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        index=True,
        ondelete="restrict",
        help="SLA tier granted to the customer of a person holding this level.",
    )
    validity_months = fields.Integer(
        default=24,
        help="Months a certification of this level stays valid; 0 means forever.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Fee Product",
        ondelete="set null",
        help="Product used to invoice the certification fee.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="tier_id.company_id",
        store=True,
        index=True,
    )

    @api.constrains("name", "tier_id", "validity_months")
    def _check_tier(self):
        for level in self:
            if not level.tier_id:
                raise ValidationError(
                    _(
                        "Certification level %(level)s needs an SLA tier: the tier "
                        "is what the certification grants.",
                        level=level.name,
                    )
                )
            if level.validity_months < 0:
                raise ValidationError(
                    _(
                        "Certification level %(level)s: the validity cannot be "
                        "negative (use 0 for a certification that never expires).",
                        level=level.name,
                    )
                )
