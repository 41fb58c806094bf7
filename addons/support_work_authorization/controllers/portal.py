# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.sale.controllers.portal import CustomerPortal


class WorkAuthorizationPortal(CustomerPortal):
    @http.route()
    def portal_quote_accept(
        self, order_id, access_token=None, name=None, signature=None
    ):
        """Only the customer's authorized contacts, logged in, may sign a work
        authorization; anyone else gets a clear message, nothing is signed."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            order = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            order = None
        if order and order.work_auth_id:
            if request.env.user._is_public():
                return {
                    "error": _(
                        "Log in to accept this work authorization: only the "
                        "people your company authorized may accept it."
                    )
                }
            try:
                order.work_auth_id._check_acceptor(request.env.user.partner_id)
            except UserError as error:
                return {"error": error.args[0]}
            # the portal confirms the order as superuser: say who signed
            request.update_context(work_auth_acceptor_id=request.env.user.partner_id.id)
        return super().portal_quote_accept(
            order_id, access_token=access_token, name=name, signature=signature
        )
