# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

LEDGER_LIMIT = 200


class SupportPointsPortal(CustomerPortal):
    def _support_points_ledger(self):
        """The logged-in user's own company ledger, and nobody else's."""
        partner = request.env.user.partner_id.commercial_partner_id
        # sudo: the domain pins the lines to the user's own commercial partner
        # and current company, which is exactly what they may see
        moves = (
            request.env["support.points.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", request.env.company.id),
                ],
                limit=LEDGER_LIMIT,
            )
        )
        return partner, moves

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "support_points_count" in counters:
            values["support_points_count"] = len(self._support_points_ledger()[1])
        return values

    @http.route("/my/support-points", type="http", auth="user", website=True)
    def portal_my_support_points(self, **kwargs):
        partner, moves = self._support_points_ledger()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "support_points",
                "customer": partner,
                "moves": moves,
                "balance": partner.support_points_balance,
                "expiry_date": partner.support_points_expiry_date,
                "expiring": partner.support_points_expiring,
            }
        )
        return request.render("support_points.portal_my_support_points", values)
