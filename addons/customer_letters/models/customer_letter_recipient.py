# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import secrets
from urllib.parse import unquote

import babel.dates
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, is_html_empty
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml
from odoo.tools.rendering_tools import parse_inline_template

# recipients added at once from which our table's statistics are refreshed
ANALYZE_THRESHOLD = 500

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
# placeholders the mailing's subject may render for any sender (plain values)
SUBJECT_PLACEHOLDERS = tuple(
    name for name in PLACEHOLDERS if name not in ("segment_paragraphs", "ack_url")
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
    lang = fields.Selection(
        selection="_get_langs",
        string="Language",
        readonly=True,
        help="The language the letter was written in for this customer: the "
        "contact's, else the customer's, else the company's.",
    )
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

    @api.model
    def _get_langs(self):
        return self.env["res.lang"].get_installed()

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

    def mail_allowed_qweb_expressions(self):
        # The letter's mailing carries the body rendered when the recipients
        # were prepared (object.mail_body) and the letter's subject, whose
        # placeholders are plain reads of the row's stored values: allowing
        # them lets the mass mailing composer substitute them (its regex
        # renderer) for any sender, without compiling QWeb per recipient.
        return (
            super().mail_allowed_qweb_expressions()
            + tuple(f"object.{name}" for name in SUBJECT_PLACEHOLDERS)
            + ("object.mail_subject", "object.mail_body")
        )

    @api.model
    def _mailing_subject(self, letter):
        """The letter's subject as the mailing's subject template: readable in
        the mailing list, rendered per recipient by the mass mailing composer
        to the same text as the row's mail_subject (numbers show 0 when they
        are 0, as the letter's own rendering does)."""
        parts = []
        for literal, expression, default in self._parse(letter.subject):
            parts.append(literal)
            if not expression:
                continue
            name = self._placeholder_name(expression)
            if name in INTEGER_PLACEHOLDERS:
                default = "0"
            # the default keeps its trailing spaces, as the parser read it
            parts.append(
                f"{{{{ {expression} ||| {default}}}}}"
                if default
                else f"{{{{ {expression} }}}}"
            )
        return "".join(parts)

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
    def _customer_facts(self, partners, company):
        """Ticket count (12 months) and first invoice or ticket per customer,
        in the letter's company."""
        ids = partners.ids
        # sudo: aggregated counts and dates of the targeted customers only
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        since = fields.Datetime.now() - relativedelta(months=12)
        recent = {
            partner.id: count
            for partner, count in tickets._read_group(
                [
                    ("commercial_partner_id", "in", ids),
                    ("create_date", ">=", since),
                    ("company_id", "=", company.id),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        }
        first_ticket = {
            partner.id: first
            for partner, first in tickets._read_group(
                [
                    ("commercial_partner_id", "in", ids),
                    ("company_id", "=", company.id),
                ],
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
                    ("company_id", "=", company.id),
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
    def _recipient_langs(self, letter, partners, contacts):
        """The language of each customer's letter: the contact's, else the
        customer's, else the letter company's (the first one installed),
        the way mail templates pick the recipient's language."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        fallback = next(
            (
                code
                for code in (
                    letter.company_id.partner_id.lang,
                    self.env.lang,
                    "en_US",
                )
                if code in installed
            ),
            next(iter(installed), "en_US"),
        )
        langs = {}
        for partner in partners:
            contact = contacts.get(partner.id)
            candidates = (contact.lang if contact else False, partner.lang)
            langs[partner.id] = next(
                (code for code in candidates if code in installed), fallback
            )
        return langs

    @api.model
    def _prepare_values(
        self, letter, partners, segments_by_partner, preview=False, lang=None
    ):
        """Values of one recipient row per customer, computed in batch. lang
        forces the language (preview); else each customer's own."""
        partners = partners.with_prefetch(partners.ids)
        facts = self._customer_facts(partners, letter.company_id)
        contacts = self._pick_contacts(partners)
        langs = self._recipient_langs(letter, partners, contacts)
        # sudo: balance, expiry and tier of the targeted customers only, read
        # with the methods behind the partner fields (no field cache to fill)
        partners_su = partners.sudo()
        company = letter.company_id
        balances = partners_su.support_points_balances(company)
        expiries = partners_su.support_points_expiries(company)
        tiers = partners_su.get_support_sla_tiers(company)
        base_url = letter.get_base_url()
        letter_id = letter._origin.id or 0
        dates = {}
        date_formats = {}

        def date_text(value, lang):
            # many customers share a date: format each (date, language) once,
            # as format_date does, with the language's pattern looked up once
            if (value, lang) not in dates:
                if lang not in date_formats:
                    lang_data = get_lang(self.env, lang)
                    locale = babel_locale_parse(lang_data.code)
                    date_formats[lang] = (
                        posix_to_ldml(lang_data.date_format, locale=locale),
                        locale,
                    )
                pattern, locale = date_formats[lang]
                dates[value, lang] = babel.dates.format_date(
                    value, format=pattern, locale=locale
                )
            return dates[value, lang]

        # segment paragraphs in each language, read once per (segment, lang)
        paragraph_texts = {}

        def paragraph_of(segment, lang):
            if (segment, lang) not in paragraph_texts:
                # a segment not saved yet has no translation: its text is
                # the one being written
                translated = (
                    segment.with_context(lang=lang) if segment._origin else segment
                )
                paragraph_texts[segment, lang] = translated.paragraph
            return paragraph_texts[segment, lang]

        values = []
        for partner in partners:
            partner_lang = lang or langs[partner.id]
            segments = segments_by_partner.get(partner.id, [])
            grant, grant_expiry = self._grant_for(segments)
            expiry, expiring = expiries.get(partner.id, (False, 0))
            if grant and grant_expiry and (not expiry or grant_expiry < expiry):
                expiry, expiring = grant_expiry, grant
            elif grant and grant_expiry and grant_expiry == expiry:
                expiring += grant
            contact = contacts.get(partner.id)
            since = facts[partner.id]["customer_since_date"]
            paragraphs = [
                Markup(paragraph_of(s, partner_lang))
                for s in segments
                if not is_html_empty(paragraph_of(s, partner_lang))
            ]
            token = "preview" if preview else secrets.token_urlsafe(24)
            values.append(
                {
                    "letter_id": letter_id,
                    "customer_id": partner.id,
                    "contact_id": contact.id if contact else False,
                    "email": contact.email if contact else False,
                    "lang": partner_lang,
                    # the same normalisation as the recipient's own compute
                    # (mail.thread.blacklist), already stored on the contact
                    "email_normalized": contact.email_normalized if contact else False,
                    "segment_ids": [s.id for s in segments if s.id],
                    "company_name": partner.name,
                    "contact_name": contact.name if contact else partner.name,
                    "points_balance": balances.get(partner.id, 0) + grant,
                    "points_granted": grant,
                    "points_grant": grant,
                    "points_grant_expiry": grant_expiry,
                    "points_expiry_date": date_text(expiry, partner_lang)
                    if expiry
                    else False,
                    "points_expiring": expiring if expiry else 0,
                    "sla_tier": tiers[partner.id].name or False,
                    "ticket_count_12m": facts[partner.id]["ticket_count_12m"],
                    "customer_since_date": since,
                    "customer_since": date_text(since, partner_lang)
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
        """Render the letter's subject and body for each row of values, in
        the row's language (the translations of the letter's fields, parsed
        once per language); return a list of (subject, body)."""
        parsed = {}

        def instructions(lang):
            if lang not in parsed:
                # a letter not saved yet (preview) has no translation: its
                # text is the one being written
                translated = (
                    letter.with_context(lang=lang)
                    if lang and letter._origin
                    else letter
                )
                parsed[lang] = (
                    self._parse(translated.subject),
                    self._parse(translated.body),
                )
            return parsed[lang]

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
            subject_instr, body_instr = instructions(row.get("lang"))
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
        """Create the rendered recipient rows, in one batched ORM create."""
        rendered = self._render_values(letter, values, raise_on_error=True)
        vals_list = []
        for row, (subject, body) in zip(values, rendered, strict=True):
            vals = {
                key: value
                for key, value in row.items()
                # computed by the row itself (mail.thread.blacklist)
                if key != "email_normalized"
            }
            vals["segment_ids"] = [Command.set(row["segment_ids"])]
            vals["mail_subject"] = subject
            vals["mail_body"] = body
            vals_list.append(vals)
        # sudo: recipient rows are a record nobody edits; they are created only
        # here, when a letters manager sends an approved letter (checked in
        # customer.letter.action_send), and hold a system-only token
        recipients = (
            self.sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create(vals_list)
        )
        letter.invalidate_recordset(["recipient_ids"])
        self._analyze_after_growth(len(recipients))
        return self.browse(recipients.ids)

    @api.model
    def _analyze_after_growth(self, added):
        """Refresh PostgreSQL's statistics of our own table after a letter
        added many rows to it.

        The mass mailing cron joins a mailing's traces with its target table
        for every batch (mass_mailing's seen list). On rows autovacuum has
        not counted yet (a letter sent right after its recipients were
        recorded, or in the transaction that recorded them) the planner
        takes the table for empty and scans all of it for each trace: a
        10,000-customer letter then spent minutes per batch in that join.
        ANALYZE reads a sample of our table only; it changes no data.
        """
        if added < ANALYZE_THRESHOLD:
            return
        self.flush_model()
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))

    # ------------------------------------------------------------------
    # After sending: the letters cron (customer.letter._cron_process_sending)
    # records the recipients whose mail was actually sent.
    # ------------------------------------------------------------------

    def _record_mailed(self):
        """Grant the points (once) and log the letter on each customer, for
        recipients whose mail was sent (the caller selects them from the
        mailing traces). Idempotent: a recipient already recorded, or locked by
        another transaction recording it, is left alone."""
        if not self:
            return self.browse()
        self.flush_recordset(["mailed"])
        # lock the rows before granting: two runs never record one twice
        self.env.cr.execute(
            SQL(
                "SELECT id FROM customer_letter_recipient "
                "WHERE id IN %s AND mailed IS NOT TRUE "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        recipients = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not recipients:
            return recipients
        recipients.invalidate_recordset(["mailed", "points_granted_done"])
        bodies_by_letter = {}
        for recipient in recipients:
            letter = recipient.letter_id
            email = recipient.email or _("(no email)")
            points = recipient.points_grant
            if points > 0 and not recipient.points_granted_done:
                # sudo: the grant was approved on the letter by a user who is
                # both letters manager and support points manager (checked in
                # _check_approver and again when sending); any later edit
                # withdrew that approval
                customer = recipient.customer_id.with_company(
                    recipient.company_id
                ).sudo()
                move = customer.support_points_grant(
                    points,
                    _("Letter %(letter)s", letter=letter.name),
                    expiry_date=recipient.points_grant_expiry or False,
                )
                recipient.write(
                    {"points_granted_done": True, "points_move_id": int(move)}
                )
                body = _(
                    "Letter %(letter)s sent to %(email)s; %(points)s service "
                    "points granted.",
                    letter=letter.name,
                    email=email,
                    points=points,
                )
            else:
                body = _(
                    "Letter %(letter)s sent to %(email)s.",
                    letter=letter.name,
                    email=email,
                )
            bodies_by_letter.setdefault(letter, {})[recipient.customer_id.id] = (
                Markup("<p>%s</p>") % body
            )
        recipients.write({"mailed": True})
        for letter, bodies in bodies_by_letter.items():
            # the author is the user who sent the letter
            author = letter.mailing_id.user_id.partner_id
            self.env["res.partner"].browse(list(bodies))._message_log_batch(
                bodies, author_id=author.id or None
            )
        return recipients
