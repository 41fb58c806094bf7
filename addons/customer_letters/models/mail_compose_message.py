# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    @api.depends("composition_mode", "model", "res_domain", "res_ids")
    def _compute_force_send(self):
        res = super()._compute_force_send()
        # a letter always goes through the mail queue, whatever its size: the
        # mails and traces of each batch are committed together with the
        # points granted, and the queue sends them afterwards
        for composer in self:
            if composer.model == "customer.letter.recipient":
                composer.force_send = False
        return res
