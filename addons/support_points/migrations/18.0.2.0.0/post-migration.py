# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The closing email becomes our own template (18.0.2.0.0).

Up to 18.0.1.1.0 the add-on wrote its points paragraph into helpdesk_mgmt's
closing template.  Now:

- helpdesk_mgmt's template gets helpdesk_mgmt's own body back when it still
  calls our field (a body edited meanwhile first goes to our template, so the
  customer's wording stays in the emails);
- the stages sending helpdesk_mgmt's template send ours, as on a new install.

All through the ORM; the stages' "never charge" flags are kept as they are.
"""

import re

from odoo import SUPERUSER_ID, api

from odoo.addons.support_points.hooks import (
    HELPDESK_CLOSING_TEMPLATE,
    POINTS_CLOSING_TEMPLATE,
    use_points_closing_template,
)

# helpdesk_mgmt's body, as its data file ships it
HELPDESK_BODY = """<p>Hello <t t-out="object.partner_name or object.partner_id.name"/>,</p>
<p>The ticket <t t-out="object.display_name"/> has been closed.</p>"""  # noqa: E501
# the bodies 18.0.1.0.0 (the paragraph inline) and 18.0.1.1.0 (the QWeb
# note) wrote into helpdesk_mgmt's template, as they were stored
OLD_BODY = """<div>
<p>Hello <t t-out="object.partner_name or object.partner_id.name"/>,</p>
<p>The ticket <t t-out="object.display_name"/> has been closed.</p>
<p t-if="object.support_charge_state == 'charged'" class="o_support_points_charged">
This request used <t t-out="object.support_points_charged"/>
support point(s): after today you have
<strong t-out="object.support_points_balance"/> support point(s) left.
</p>
<p t-elif="object.support_charge_state == 'credited'" class="o_support_points_credited">
The problem was caused by us, so we credited
<t t-out="-object.support_points_charged"/> support point(s)
to your account: you now have
<strong t-out="object.support_points_balance"/> support point(s).
</p>
<p t-elif="object.support_charge_state == 'free'" class="o_support_points_free">
This request was free of charge. You have
<strong t-out="object.support_points_balance"/> support point(s) left.
</p>
<p t-elif="object.support_charge_state == 'fee'" class="o_support_points_fee">
Your support points did not cover this request: a fee of
<strong t-out="format_amount(object.support_fee_line_id.price_total, object.support_fee_line_id.currency_id)"/> will be invoiced.
</p>
<div t-if="object.support_points_low and object.support_points_pack_ids" class="o_support_points_offer">
<p>Running low on support points? Our packs:</p>
<ul>
<li t-foreach="object.support_points_pack_ids" t-as="pack">
<t t-out="pack.name"/>: <t t-out="pack.support_points"/> points for <t t-out="format_amount(pack.list_price, pack.currency_id)"/>
</li>
</ul>
</div>
</div>"""  # noqa: E501 - the body as it was stored
NEW_BODY = """<div>
<p>Hello <t t-out="object.partner_name or object.partner_id.name"/>,</p>
<p>The ticket <t t-out="object.display_name"/> has been closed.</p>
<t t-out="object.support_points_mail_note"/>
</div>"""
OUR_FIELDS = ("support_points_mail_note", "support_charge_state")


def _squeeze(html):
    """``html`` without white space nor a wrapping ``<div>`` (which the
    data file kept and a write through the ORM drops), to compare bodies."""
    squeezed = re.sub(r"\s+", "", html or "")
    if squeezed.startswith("<div>") and squeezed.endswith("</div>"):
        squeezed = squeezed[len("<div>") : -len("</div>")]
    return squeezed


def restore_helpdesk_body(env):
    helpdesk = env.ref(HELPDESK_CLOSING_TEMPLATE, raise_if_not_found=False)
    ours = env.ref(POINTS_CLOSING_TEMPLATE, raise_if_not_found=False)
    if not (helpdesk and ours):
        return
    helpdesk = helpdesk.with_context(lang="en_US")
    body = helpdesk.body_html or ""
    if not any(name in body for name in OUR_FIELDS):
        return
    if _squeeze(body) not in (_squeeze(OLD_BODY), _squeeze(NEW_BODY)):
        # edited by the customer while it was ours: the edited text goes on
        # in our template, which the closing stages send from now on
        ours.with_context(lang="en_US").body_html = body
    # written in the source language: the other languages follow term by term
    helpdesk.body_html = HELPDESK_BODY


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    restore_helpdesk_body(env)
    use_points_closing_template(env)
