# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    support_points_empty_policy = fields.Selection(
        selection=[
            ("fee", "Charge a per-incident fee"),
            ("overdraft", "Let the balance go negative"),
        ],
        string="When the points run out",
        required=True,
        default="fee",
    )
    support_points_low_threshold = fields.Integer(
        string="Low points balance",
        default=1,
        help="When a charge leaves a customer at or below this balance, the "
        "salesperson is asked to offer a points pack.",
    )
