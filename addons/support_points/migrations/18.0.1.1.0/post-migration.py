# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Closing email: the points paragraph moves to a QWeb template.

The mail template is ``noupdate``: its body is replaced only in the languages
where it is still the body 18.0.1.0.0 shipped, so an edited one is kept (it
keeps working, the fields it uses are unchanged).
"""

import json

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


def _squeeze(html):
    return " ".join((html or "").split())


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT t.id, t.body_html FROM mail_template t "
        "JOIN ir_model_data d ON d.res_id = t.id AND d.model = 'mail.template' "
        "WHERE d.module = 'helpdesk_mgmt' AND d.name = 'closed_ticket_template'"
    )
    row = cr.fetchone()
    if not row or not row[1]:
        return
    template_id, bodies = row
    old = _squeeze(OLD_BODY)
    updated = {
        lang: NEW_BODY if _squeeze(body) == old else body
        for lang, body in bodies.items()
    }
    if updated != bodies:
        cr.execute(
            "UPDATE mail_template SET body_html = %s::jsonb WHERE id = %s",
            (json.dumps(updated), template_id),
        )
