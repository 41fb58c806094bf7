# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    support_no_charge = fields.Boolean(
        string="Never charge support points",
        help="A closing stage that does not resolve the request (cancelled, "
        "rejected, duplicate): tickets closed here are never charged.",
    )
