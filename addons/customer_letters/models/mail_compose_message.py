# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, models

from .mailing_mailing import LETTER_RECIPIENT_MODEL

# One bare ASCII address made of dot-separated atoms: no display name, quote,
# comment, list or empty atom. Python's address parser returns such an
# address unchanged, and Odoo's normalisation only lowercases it.
PLAIN_ADDRESS = re.compile(
    r"[a-z0-9_%+'-]+(?:\.[a-z0-9_%+'-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)*",
    re.IGNORECASE | re.ASCII,
)


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    @api.depends("composition_mode", "model", "res_domain", "res_ids")
    def _compute_force_send(self):
        res = super()._compute_force_send()
        # a letter always goes through the mail queue, whatever its size: the
        # mails and traces of each batch are committed together with the
        # points granted, and the queue sends them afterwards
        for composer in self:
            if composer.model == LETTER_RECIPIENT_MODEL:
                composer.force_send = False
        return res

    def _get_recipients_data(self, mail_values_dict):
        """A letter mails each row's one address (see the recipient's
        _message_get_default_recipients), which the composer parses twice per
        mail. A plain address is taken as the parser would return it; any
        other value is still parsed by Odoo."""
        if self.model != LETTER_RECIPIENT_MODEL:
            return super()._get_recipients_data(mail_values_dict)
        plain, others = {}, {}
        for res_id, values in mail_values_dict.items():
            email_to = values.get("email_to")
            if (
                email_to
                and not values.get("recipient_ids")
                and PLAIN_ADDRESS.fullmatch(email_to)
            ):
                plain[res_id] = {
                    "mail_to": [email_to],
                    "mail_to_normalized": [email_to.lower()],
                }
            else:
                others[res_id] = values
        if others:
            plain.update(super()._get_recipients_data(others))
        return {res_id: plain[res_id] for res_id in mail_values_dict}
