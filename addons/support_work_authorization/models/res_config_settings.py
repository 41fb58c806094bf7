# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    work_auth_rounding_minutes = fields.Integer(
        related="company_id.work_auth_rounding_minutes", readonly=False
    )
    work_auth_minimum_minutes = fields.Integer(
        related="company_id.work_auth_minimum_minutes", readonly=False
    )
    work_auth_tolerance_percent = fields.Integer(
        related="company_id.work_auth_tolerance_percent", readonly=False
    )
    work_auth_points_per_hour = fields.Integer(
        related="company_id.work_auth_points_per_hour", readonly=False
    )
