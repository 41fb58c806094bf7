# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    support_tier_renewal_window_days = fields.Integer(
        related="company_id.support_tier_renewal_window_days", readonly=False
    )
    support_tier_renewal_points = fields.Integer(
        related="company_id.support_tier_renewal_points", readonly=False
    )
    support_tier_multi_period_bonus = fields.Selection(
        related="company_id.support_tier_multi_period_bonus", readonly=False
    )
    support_tier_multi_period_points = fields.Integer(
        related="company_id.support_tier_multi_period_points", readonly=False
    )
    support_tier_reminder_days = fields.Integer(
        related="company_id.support_tier_reminder_days", readonly=False
    )
