# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class CustomerLetterAckController(http.Controller):
    """Public acknowledgement page of a letter. The link carries a secret
    per-customer token; a wrong, unknown or reused link gets a friendly page
    and writes nothing."""

    def _render(self, status, recipient=None, token=None, http_status=200):
        if recipient and recipient.lang:
            # the page speaks the language the letter was written in for
            # this customer
            request.update_context(lang=recipient.lang)
        values = {
            "status": status,
            "page_lang": recipient.lang.replace("_", "-")
            if recipient and recipient.lang
            else False,
            # the subject the customer received; the letter's name is internal
            "letter_name": recipient.mail_subject if recipient else False,
            "company_name": recipient.company_id.name if recipient else False,
            "customer_name": recipient.customer_id.name if recipient else False,
            "ack_date": recipient.ack_ids[:1].date if recipient else False,
            "token": token,
            "action": (
                f"/letters/ack/{recipient.letter_id.id}/"
                f"{recipient.customer_id.id}/confirm"
            )
            if recipient
            else False,
        }
        return request.render("customer_letters.ack_page", values, status=http_status)

    @http.route(
        "/letters/ack/<int:letter_id>/<int:customer_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def ack_page(self, letter_id, customer_id, token=None, **kwargs):
        Ack = request.env["customer.letter.ack"]
        recipient = Ack._find_recipient(letter_id, customer_id, token)
        if not recipient:
            return self._render("invalid", http_status=404)
        if recipient.ack_ids:
            return self._render("already", recipient)
        # a GET only shows the page: mail scanners that follow links must not
        # acknowledge on the customer's behalf
        return self._render("confirm", recipient, token=token)

    # csrf=False: the request is authorised by the secret per-customer token
    # in the form, which a cross-site attacker cannot know; the page is public
    # and has no session to protect
    @http.route(
        "/letters/ack/<int:letter_id>/<int:customer_id>/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def ack_confirm(self, letter_id, customer_id, token=None, **kwargs):
        Ack = request.env["customer.letter.ack"]
        recipient = Ack._find_recipient(letter_id, customer_id, token)
        if not recipient:
            _logger.info(
                "Rejected acknowledgement of letter %s for partner %s: bad link",
                letter_id,
                customer_id,
            )
            return self._render("invalid", http_status=404)
        ack, created = Ack._acknowledge(recipient)
        if not created:
            return self._render("already", recipient)
        _logger.info(
            "Letter %s acknowledged for partner %s (ack %s)",
            letter_id,
            customer_id,
            ack.id,
        )
        return self._render("done", recipient)
