# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def get_utm_domain_cookies(cls):
        """The domain of the cookies utm sets from the utm_* parameters of a
        tracked link (a letter's acknowledgement link, for one).

        utm uses the request's host. Werkzeug refuses a cookie domain
        without a dot: on http://localhost:8069, the README's own address,
        every tracked link answered HTTP 500. For such a host the cookie
        gets no domain, which binds it to the exact host, as browsers do
        for localhost anyway."""
        domain = super().get_utm_domain_cookies()
        if domain and "." not in domain.split(":", 1)[0]:
            return None
        return domain
