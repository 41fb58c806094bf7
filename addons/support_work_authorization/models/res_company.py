# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    work_auth_rounding_minutes = fields.Integer(
        string="Round time up to (minutes)",
        default=15,
        help="Each meter time is rounded up to a multiple of these minutes "
        "(0: no rounding).",
    )
    work_auth_minimum_minutes = fields.Integer(
        string="Minimum on-site time per visit (minutes)",
        default=60,
    )
    work_auth_tolerance_percent = fields.Integer(
        string="Tolerance over the accepted estimate (%)",
        default=10,
        help="Billable time beyond the accepted estimate by more than this "
        "asks the customer to accept a revised authorization.",
    )
    work_auth_points_per_hour = fields.Integer(
        string="Points per absorbed hour",
        default=1,
        help="Service points returned to the customer for each hour of an "
        "overrun the company absorbs (rounded up).",
    )

    @api.constrains(
        "work_auth_rounding_minutes",
        "work_auth_minimum_minutes",
        "work_auth_tolerance_percent",
        "work_auth_points_per_hour",
    )
    def _check_work_auth_settings(self):
        for company in self:
            values = (
                company.work_auth_rounding_minutes,
                company.work_auth_minimum_minutes,
                company.work_auth_tolerance_percent,
                company.work_auth_points_per_hour,
            )
            if any(value < 0 for value in values):
                raise ValidationError(
                    _(
                        "The work authorization settings of %(company)s cannot "
                        "be negative.",
                        company=company.name,
                    )
                )
            if company.work_auth_rounding_minutes > 240:
                raise ValidationError(
                    _(
                        "Rounding time to more than 4 hours is not supported "
                        "(%(company)s).",
                        company=company.name,
                    )
                )
