# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    support_tier_renewal_window_days = fields.Integer(
        string="Early renewal window (days)",
        default=60,
        help="A customer who buys the tier again within this many days before "
        "the end of the purchased period earns the early renewal bonus; 0 "
        "turns the bonus off.",
    )
    support_tier_renewal_points = fields.Integer(
        string="Early renewal bonus (points)",
        default=5,
        help="Support points granted for an early renewal.",
    )
    support_tier_multi_period_bonus = fields.Selection(
        selection=[
            ("none", "No bonus"),
            ("points", "Support points"),
            ("tier", "The next tier up"),
        ],
        string="Multi-period bonus",
        required=True,
        default="points",
        help="What a customer buying several periods of a tier at once gets: "
        "support points, or the next tier up for the whole committed period.",
    )
    support_tier_multi_period_points = fields.Integer(
        string="Multi-period bonus (points)",
        default=10,
        help="Support points granted for buying several periods at once.",
    )
    support_tier_reminder_days = fields.Integer(
        string="Tier renewal reminder (days)",
        default=30,
        help="Days before a purchased tier period ends when the customer's "
        "contact and salesperson are reminded, once each.",
    )

    @api.constrains(
        "support_tier_renewal_window_days",
        "support_tier_renewal_points",
        "support_tier_multi_period_points",
        "support_tier_reminder_days",
    )
    def _check_support_tier_settings(self):
        for company in self:
            values = (
                company.support_tier_renewal_window_days,
                company.support_tier_renewal_points,
                company.support_tier_multi_period_points,
                company.support_tier_reminder_days,
            )
            if min(values) < 0:
                raise ValidationError(
                    _(
                        "Company %(company)s: the tier renewal days and bonus "
                        "points cannot be negative.",
                        company=company.name,
                    )
                )
