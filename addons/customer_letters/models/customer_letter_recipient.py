# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import secrets
from urllib.parse import unquote

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, is_html_empty
from odoo.tools.rendering_tools import parse_inline_template

# The placeholders a letter may use, as {{ object.<name> }}. They are stored
# fields of the recipient: the values the customer was told, kept as a record.
PLACEHOLDERS = (
    "company_name",
    "contact_name",
    "points_balance",
    "points_granted",
    "points_expiry_date",
    "points_expiring",
    "sla_tier",
    "ticket_count_12m",
    "customer_since",
    "segment_paragraphs",
    "ack_url",
)
# placeholders that may legitimately be empty for a customer
OPTIONAL_PLACEHOLDERS = ("segment_paragraphs",)
# the HTML sanitizer URL-encodes placeholders inside links (href="{{ ... }}")
ENCODED_PLACEHOLDER = re.compile(r"%7B%7B(.+?)%7D%7D", re.IGNORECASE)
INTEGER_PLACEHOLDERS = (
    "points_balance",
    "points_granted",
    "points_expiring",
    "ticket_count_12m",
)


class CustomerLetterRecipient(models.Model):
    _name = "customer.letter.recipient"
    _description = "Customer letter recipient"
    _inherit = ["mail.thread.blacklist"]
    _primary_email = "email"
    _mailing_enabled = True
    _order = "letter_id desc, id"
    _rec_name = "company_name"

    letter_id = fields.Many2one(
        comodel_name="customer.letter",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="letter_id.company_id", store=True, index=True, precompute=True
    )
    customer_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The commercial partner the letter is addressed to.",
    )
    contact_id = fields.Many2one(
        comodel_name="res.partner",
        readonly=True,
        ondelete="set null",
        help="The person the letter was mailed to.",
    )
    email = fields.Char(readonly=True)
    segment_ids = fields.Many2many(
        comodel_name="customer.letter.segment",
        relation="customer_letter_recipient_segment_rel",
        column1="recipient_id",
        column2="segment_id",
        string="Segments",
        readonly=True,
    )
    # placeholder values, as rendered
    company_name = fields.Char(readonly=True)
    contact_name = fields.Char(readonly=True)
    points_balance = fields.Integer(
        readonly=True, help="Balance including the points this letter grants."
    )
    points_granted = fields.Integer(
        string="Points to grant",
        readonly=True,
        help="Points this letter grants to the customer.",
    )
    points_expiry_date = fields.Char(readonly=True)
    points_expiring = fields.Integer(readonly=True)
    sla_tier = fields.Char(string="SLA tier", readonly=True)
    ticket_count_12m = fields.Integer(
        string="Tickets (12 months)",
        readonly=True,
    )
    customer_since = fields.Char(readonly=True)
    customer_since_date = fields.Date(readonly=True)
    segment_paragraphs = fields.Html(readonly=True, sanitize=False)
    ack_url = fields.Char(
        string="Acknowledgement link",
        readonly=True,
        groups="customer_letters.group_letters_manager",
    )
    # the mail as rendered for this customer
    mail_subject = fields.Char(readonly=True)
    # not sanitized on write: built from the letter body (sanitized when the
    # letter is saved), segment paragraphs (idem) and escaped values
    mail_body = fields.Html(
        readonly=True,
        sanitize=False,
        groups="customer_letters.group_letters_manager",
    )
    ack_token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    # points: granted once, linked to the ledger move
    points_grant = fields.Integer(
        readonly=True, help="Points this letter granted (or will grant)."
    )
    points_grant_expiry = fields.Date(readonly=True)
    points_granted_done = fields.Boolean(
        string="Points granted", readonly=True, copy=False
    )
    points_move_id = fields.Many2one(
        comodel_name="support.points.move",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    mailed = fields.Boolean(readonly=True, copy=False)
    ack_ids = fields.One2many(
        comodel_name="customer.letter.ack",
        inverse_name="recipient_id",
        readonly=True,
    )
    acknowledged = fields.Boolean(compute="_compute_acknowledged", store=True)
    mail_status = fields.Char(compute="_compute_mail_status")

    _sql_constraints = [
        (
            "letter_customer_unique",
            "UNIQUE(letter_id, customer_id)",
            "A customer receives a letter only once.",
        ),
    ]

    @api.depends("ack_ids")
    def _compute_acknowledged(self):
        for recipient in self:
            recipient.acknowledged = bool(recipient.ack_ids)

    def _compute_mail_status(self):
        labels = dict(
            self.env["mailing.trace"]
            ._fields["trace_status"]
            ._description_selection(self.env)
        )
        # sudo: read the trace status of these recipients only
        traces = (
            self.env["mailing.trace"]
            .sudo()
            .search_read(
                [("model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id", "trace_status"],
            )
        )
        status = {trace["res_id"]: trace["trace_status"] for trace in traces}
        for recipient in self:
            value = status.get(recipient.id)
            recipient.mail_status = labels.get(value, value) if value else False

    # ------------------------------------------------------------------
    # Values (batch: a constant number of queries for any number of customers)
    # ------------------------------------------------------------------

    @api.model
    def _placeholder_name(self, expression):
        parts = expression.split(".")
        if len(parts) == 2 and parts[0] == "object" and parts[1] in PLACEHOLDERS:
            return parts[1]
        return None

    @api.model
    def _parse(self, template):
        """Parse with Odoo's inline template syntax, placeholders in links
        included."""
        text = ENCODED_PLACEHOLDER.sub(
            lambda match: "{{" + unquote(match.group(1)) + "}}", str(template or "")
        )
        return parse_inline_template(text)

    @api.model
    def _check_template(self, letter, template, html=True):
        """Reject placeholders that are not ours (the field is named)."""
        for _literal, expression, _default in self._parse(template):
            if expression and not self._placeholder_name(expression):
                raise UserError(
                    _(
                        "Letter %(letter)s uses the unknown placeholder "
                        "{{ %(field)s }}. Known placeholders: %(known)s.",
                        letter=letter.display_name,
                        field=expression,
                        known=", ".join(f"object.{name}" for name in PLACEHOLDERS),
                    )
                )
            if (
                not html
                and expression
                and self._placeholder_name(expression) == "segment_paragraphs"
            ):
                raise UserError(
                    _(
                        "Letter %(letter)s: {{ object.segment_paragraphs }} belongs "
                        "in the body, not in the subject.",
                        letter=letter.display_name,
                    )
                )

    @api.model
    def _customer_facts(self, partners):
        """Ticket count (12 months) and first invoice or ticket per customer."""
        ids = partners.ids
        # sudo: aggregated counts and dates of the targeted customers only
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        since = fields.Datetime.now() - relativedelta(months=12)
        recent = {
            partner.id: count
            for partner, count in tickets._read_group(
                [("commercial_partner_id", "in", ids), ("create_date", ">=", since)],
                ["commercial_partner_id"],
                ["__count"],
            )
        }
        first_ticket = {
            partner.id: first
            for partner, first in tickets._read_group(
                [("commercial_partner_id", "in", ids)],
                ["commercial_partner_id"],
                ["create_date:min"],
            )
        }
        # sudo: first posted invoice date of the targeted customers only
        first_invoice = {
            partner.id: first
            for partner, first in self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                ],
                ["commercial_partner_id"],
                ["invoice_date:min"],
            )
        }
        facts = {}
        for partner_id in ids:
            dates = [
                d
                for d in (
                    first_ticket.get(partner_id) and first_ticket[partner_id].date(),
                    first_invoice.get(partner_id),
                )
                if d
            ]
            facts[partner_id] = {
                "ticket_count_12m": recent.get(partner_id, 0),
                "customer_since_date": min(dates) if dates else False,
            }
        return facts

    @api.model
    def _pick_contacts(self, partners):
        """The person to write to: the customer itself when it has an email,
        else its first contact with one."""
        contacts = {partner.id: partner for partner in partners if partner.email}
        missing = partners.filtered(lambda p: p.id not in contacts)
        if missing:
            children = self.env["res.partner"].search(
                [
                    ("parent_id", "in", missing.ids),
                    ("email", "!=", False),
                    ("type", "=", "contact"),
                ],
                order="id",
            )
            for child in children:
                contacts.setdefault(child.parent_id.id, child)
        return contacts

    @api.model
    def _grant_for(self, segments):
        """Sum of the segments' grants; the furthest expiry (none if any
        grant never expires)."""
        granting = [s for s in segments if s.grant_points > 0]
        points = sum(s.grant_points for s in granting)
        expiry = False
        if granting and all(s.grant_expiry_date for s in granting):
            expiry = max(s.grant_expiry_date for s in granting)
        return points, expiry

    @api.model
    def _prepare_values(self, letter, partners, segments_by_partner, preview=False):
        """Values of one recipient row per customer, computed in batch."""
        partners = partners.with_prefetch(partners.ids)
        facts = self._customer_facts(partners)
        contacts = self._pick_contacts(partners)
        # sudo: balance, expiry and tier of the targeted customers only
        partners_su = partners.sudo().with_company(letter.company_id)
        base_url = letter.get_base_url()
        letter_id = letter._origin.id or 0
        values = []
        for partner, partner_su in zip(partners, partners_su, strict=True):
            lang = partner.lang or self.env.lang
            segments = segments_by_partner.get(partner.id, [])
            grant, grant_expiry = self._grant_for(segments)
            expiry = partner_su.support_points_expiry_date
            expiring = partner_su.support_points_expiring
            if grant and grant_expiry and (not expiry or grant_expiry < expiry):
                expiry, expiring = grant_expiry, grant
            elif grant and grant_expiry and grant_expiry == expiry:
                expiring += grant
            contact = contacts.get(partner.id)
            since = facts[partner.id]["customer_since_date"]
            paragraphs = [
                Markup(s.paragraph) for s in segments if not is_html_empty(s.paragraph)
            ]
            token = "preview" if preview else secrets.token_urlsafe(24)
            values.append(
                {
                    "letter_id": letter_id,
                    "customer_id": partner.id,
                    "contact_id": contact.id if contact else False,
                    "email": contact.email if contact else False,
                    "segment_ids": [s.id for s in segments if s.id],
                    "company_name": partner.name,
                    "contact_name": contact.name if contact else partner.name,
                    "points_balance": partner_su.support_points_balance + grant,
                    "points_granted": grant,
                    "points_grant": grant,
                    "points_grant_expiry": grant_expiry,
                    "points_expiry_date": format_date(self.env, expiry, lang_code=lang)
                    if expiry
                    else False,
                    "points_expiring": expiring if expiry else 0,
                    "sla_tier": partner_su.support_sla_tier_id.name or False,
                    "ticket_count_12m": facts[partner.id]["ticket_count_12m"],
                    "customer_since_date": since,
                    "customer_since": format_date(self.env, since, lang_code=lang)
                    if since
                    else False,
                    "segment_paragraphs": Markup("").join(paragraphs),
                    "ack_token": token,
                    "ack_url": (
                        f"{base_url}/letters/ack/{letter_id}/{partner.id}?token={token}"
                    )
                    if letter.ack_required
                    else False,
                }
            )
        return values

    # ------------------------------------------------------------------
    # Rendering: Odoo's inline template syntax ({{ object.field || default }}),
    # parsed once per letter, values escaped for HTML.
    # ------------------------------------------------------------------

    @api.model
    def _render_one(self, instructions, row, html):
        """Render parsed instructions for one row; return (text, errors)."""
        parts, errors = [], []
        for literal, expression, default in instructions:
            parts.append(literal)
            if not expression:
                continue
            name = self._placeholder_name(expression)
            if not name:
                errors.append((expression, "unknown"))
                continue
            value = row.get(name)
            if name in INTEGER_PLACEHOLDERS:
                value = str(value or 0)
            elif not value or (name == "segment_paragraphs" and is_html_empty(value)):
                if default:
                    parts.append(default)
                elif name not in OPTIONAL_PLACEHOLDERS:
                    errors.append((expression, "empty"))
                continue
            parts.append(escape(value) if html else str(value))
        text = "".join(parts)
        return (Markup(text) if html else text), errors

    @api.model
    def _render_values(self, letter, values, raise_on_error=True):
        """Render the letter's subject and body for each row of values;
        return a list of (subject, body)."""
        subject_instr = self._parse(letter.subject)
        body_instr = self._parse(letter.body)
        results = []
        paragraph_cache = {}
        for row in values:
            paragraphs = row.get("segment_paragraphs") or ""
            paragraph_errors = []
            if paragraphs:
                # segment paragraphs may hold placeholders too
                if paragraphs not in paragraph_cache:
                    paragraph_cache[paragraphs] = self._parse(paragraphs)
                rendered, paragraph_errors = self._render_one(
                    paragraph_cache[paragraphs],
                    dict(row, segment_paragraphs=False),
                    html=True,
                )
                row = dict(row, segment_paragraphs=rendered)
            subject, subject_errors = self._render_one(subject_instr, row, html=False)
            body, body_errors = self._render_one(body_instr, row, html=True)
            errors = subject_errors + body_errors + paragraph_errors
            if errors and raise_on_error:
                expression, reason = errors[0]
                customer = self.env["res.partner"].browse(row["customer_id"])
                if reason == "unknown":
                    message = _(
                        "Letter %(letter)s cannot be rendered for customer "
                        "%(customer)s: {{ %(field)s }} is not a known "
                        "placeholder.",
                        letter=letter.display_name,
                        customer=customer.display_name,
                        field=expression,
                    )
                else:
                    message = _(
                        "Letter %(letter)s cannot be rendered for customer "
                        "%(customer)s: {{ %(field)s }} has no value for this "
                        "customer. Give a default, e.g. {{ %(field)s ||| ... }}, "
                        "or leave this customer out of the segments.",
                        letter=letter.display_name,
                        customer=customer.display_name,
                        field=expression,
                    )
                raise UserError(message)
            results.append((subject, body))
        return results

    @api.model
    def _create_rendered(self, letter, values):
        rendered = self._render_values(letter, values, raise_on_error=True)
        vals_list = []
        for row, (subject, body) in zip(values, rendered, strict=True):
            vals = dict(row, mail_subject=subject, mail_body=body)
            vals["segment_ids"] = [fields.Command.set(row["segment_ids"])]
            vals_list.append(vals)
        recipients = self.env["customer.letter.recipient"]
        for start in range(0, len(vals_list), 1000):
            # sudo: recipient rows are written only here, by the send of an
            # approved letter (nobody has create rights on them)
            recipients |= (
                self.sudo()
                .with_context(
                    tracking_disable=True,
                    mail_create_nolog=True,
                    mail_create_nosubscribe=True,
                )
                .create(vals_list[start : start + 1000])
            )
        return recipients.with_env(self.env)

    # ------------------------------------------------------------------
    # Sending: called by the mass mailing composer for each batch, in the
    # same transaction as the batch's mails and traces.
    # ------------------------------------------------------------------

    def _message_mail_after_hook(self, mails):
        res = super()._message_mail_after_hook(mails)
        if mails.filtered("mailing_id"):
            self._letter_mailed()
        return res

    def _letter_mailed(self):
        """Grant the points (once) and log the letter on each customer."""
        todo = self.filtered(lambda r: not r.mailed)
        if not todo:
            return
        # lock the rows: two concurrent sends cannot both grant the points
        self.env.cr.execute(
            "SELECT id FROM customer_letter_recipient WHERE id IN %s FOR UPDATE",
            (tuple(todo.ids),),
        )
        todo.invalidate_recordset(["mailed", "points_granted_done"])
        todo = todo.filtered(lambda r: not r.mailed)
        # sudo: flags written by the send process itself
        todo.sudo().write({"mailed": True})
        bodies = {}
        for recipient in todo:
            if recipient.points_grant > 0 and not recipient.points_granted_done:
                # sudo: the grant was approved on the letter by a user who is
                # both letters manager and support points manager (checked in
                # _check_approver); any later edit withdrew that approval
                customer = recipient.customer_id.with_company(recipient.company_id)
                move_id = customer.sudo().support_points_grant(
                    recipient.points_grant,
                    _("Letter %(letter)s", letter=recipient.letter_id.name),
                    expiry_date=recipient.points_grant_expiry or False,
                )
                # sudo: see above
                recipient.sudo().write(
                    {"points_granted_done": True, "points_move_id": int(move_id)}
                )
                bodies[recipient.customer_id.id] = _(
                    "Letter %(letter)s sent to %(email)s; %(points)s service "
                    "points granted.",
                    letter=recipient.letter_id.name,
                    email=recipient.email or _("(no email)"),
                    points=recipient.points_grant,
                )
            else:
                bodies[recipient.customer_id.id] = _(
                    "Letter %(letter)s sent to %(email)s.",
                    letter=recipient.letter_id.name,
                    email=recipient.email or _("(no email)"),
                )
        # sudo: a note on the customers' chatter, logged by the send process
        partners = self.env["res.partner"].sudo().browse(list(bodies))
        partners._message_log_batch(bodies=bodies)
