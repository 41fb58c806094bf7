# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_letter_ack_ids = fields.One2many(
        comodel_name="customer.letter.ack",
        inverse_name="partner_id",
        string="Acknowledged letters",
        groups="customer_letters.group_letters_user",
    )
