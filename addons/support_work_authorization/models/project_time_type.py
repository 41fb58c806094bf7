# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ProjectTimeType(models.Model):
    _inherit = "project.time.type"

    work_auth_kind = fields.Selection(
        selection=[
            ("travel", "Travel"),
            ("onsite", "On site"),
            ("workshop", "Workshop"),
            ("remote", "Remote"),
        ],
        string="Work kind",
        help="The meter logs travel and on-site time with the time type of that kind.",
    )
    work_auth_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Service product",
        domain=[("type", "=", "service")],
        ondelete="restrict",
        help="The service (with its rate per hour) that bills this time.",
    )
    work_auth_billable = fields.Boolean(
        string="Billable",
        default=True,
        help="Untick for time shown to the customer as 'no charge'.",
    )
