# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    support_points_empty_policy = fields.Selection(
        related="company_id.support_points_empty_policy", readonly=False
    )
    support_points_low_threshold = fields.Integer(
        related="company_id.support_points_low_threshold", readonly=False
    )
