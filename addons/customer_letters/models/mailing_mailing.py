# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _get_mass_mailing_context(self):
        """A letter's links are not click-tracked.

        Link tracking rewrites each link to /r/<code> and adds the mailing's
        UTM source (named after the letter) to the target: the customer read
        the internal letter name in the address bar, the personal
        acknowledgement link (a secret token per customer) was stored in a
        link.tracker per customer that every marketing user can read, and on
        a host without a dot (http://localhost:8069) the UTM cookie Odoo sets
        for those parameters answers HTTP 500. The acknowledgement itself
        records who followed the letter's link."""
        context = super()._get_mass_mailing_context()
        if self.mailing_model_real == "customer.letter.recipient":
            context.pop("post_convert_links", None)
        return context
