# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    support_points = fields.Integer(
        help="Support points granted to the customer for each unit invoiced "
        "(a points pack). Leave 0 for ordinary products.",
    )

    def _check_support_points_value(self, points, name):
        if points and points < 0:
            raise ValidationError(
                _(
                    "The points pack %(product)s cannot hold a negative number "
                    "of points (%(points)s).",
                    product=name,
                    points=points,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # refuse before anything is written
        for vals in vals_list:
            self._check_support_points_value(
                vals.get("support_points"), vals.get("name")
            )
        return super().create(vals_list)

    def write(self, vals):
        if "support_points" in vals:
            for template in self:
                template._check_support_points_value(
                    vals["support_points"], vals.get("name", template.name)
                )
        return super().write(vals)

    @api.constrains("support_points")
    def _check_support_points(self):
        for template in self:
            template._check_support_points_value(template.support_points, template.name)
