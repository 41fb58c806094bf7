# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug import urls

from odoo import models


class LinkTracker(models.Model):
    _inherit = "link.tracker"

    def _compute_redirected_url(self):
        """A letter's tracked links do not pass the mailing's UTM source on:
        it is named after the letter, whose name is internal, and the
        customer read it in the address bar (utm_source=...). Clicks are
        still counted; campaign and medium are kept."""
        res = super()._compute_redirected_url()
        for tracker in self:
            mailing = tracker.mass_mailing_id
            if (
                not mailing
                or mailing.mailing_model_real != "customer.letter.recipient"
                or not tracker.redirected_url
            ):
                continue
            parsed = urls.url_parse(tracker.redirected_url)
            query = parsed.decode_query()
            if "utm_source" in query:
                query.pop("utm_source")
                tracker.redirected_url = parsed.replace(
                    query=urls.url_encode(query)
                ).to_url()
        return res
