# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import UserError
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
            # the tile shows for a customer with a history, or with packs
            # to buy (the page offers them)
            partner, moves = self._support_points_ledger()
            values["support_points_count"] = len(moves) or len(
                self._support_points_offer(partner)["packs"]
            )
        if not counters:
            # the home page itself: its tile tells the balance
            partner = request.env.user.partner_id.commercial_partner_id
            values["support_points_home_balance"] = partner._support_points_words(
                partner.support_points_balance
            )
        return values

    def _support_points_offer(self, partner):
        """What the customer's page offers: the packs on sale, what a point
        buys, and the customer's pending pack request."""
        company = request.env.company
        # sudo: products, charge rules and draft invoices are not readable
        # on the portal; what is read is the company's packs on sale, the
        # names and points of its active rules, and the draft pack invoices
        # of the user's own commercial partner only
        partner_sudo = partner.sudo()
        return {
            "packs": partner_sudo._support_points_packs(company),
            "price_list": partner_sudo._support_points_price_list(company),
            "empty_words": partner_sudo._support_points_empty_words(company),
            "pending": partner_sudo._support_points_pending_requests(company)[:1],
            "currency": company.currency_id,
        }

    @http.route("/my/support-points", type="http", auth="user", website=True)
    def portal_my_support_points(self, requested=None, error=None, **kwargs):
        partner, moves = self._support_points_ledger()
        values = self._prepare_portal_layout_values()
        values.update(self._support_points_offer(partner))
        values.update(
            {
                "page_name": "support_points",
                "customer": partner,
                "moves": moves,
                "balance": partner.support_points_balance,
                "balance_words": partner._support_points_words(
                    partner.support_points_balance
                ),
                "expiry_date": partner.support_points_expiry_date,
                "expiring": partner.support_points_expiring,
                "requested": requested,
                "error": error,
            }
        )
        return request.render("support_points.portal_my_support_points", values)

    @http.route(
        "/my/support-points/request",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_support_points_request(self, pack_id=None, **kwargs):
        """Ask for a points pack: a draft invoice for the salesperson."""
        partner = request.env.user.partner_id
        try:
            pack_id = int(pack_id)
        except (TypeError, ValueError):
            return request.redirect("/my/support-points?error=pack")
        # sudo: a portal user may not create invoices; the request is a draft
        # invoice of the user's own commercial partner in the current company,
        # for one of its packs on sale (checked in _support_points_request_pack)
        # at the product's price; posting it stays with the salesperson
        pack = request.env["product.product"].sudo().browse(pack_id).exists()
        try:
            _invoice, created = partner.sudo()._support_points_request_pack(
                pack, request.env.company
            )
        except UserError:
            return request.redirect("/my/support-points?error=pack")
        state = "new" if created else "pending"
        return request.redirect(f"/my/support-points?requested={state}")
