# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _action_send_mail(self, res_ids=None):
        res = super()._action_send_mail(res_ids=res_ids)
        # a letter's mailing resumed by the mass mailing queue completes the
        # letter as well
        # sudo: only the letters linked to these mailings, to update their state
        letters = (
            self.env["customer.letter"]
            .sudo()
            .search([("mailing_id", "in", self.ids), ("state", "=", "sending")])
        )
        letters._mark_sent_if_done()
        return res
