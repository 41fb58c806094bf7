# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

_logger = logging.getLogger(__name__)

# Fields whose change on a letter waiting for or holding an approval sends it
# back to draft: they are what the approver approved.
LETTER_CONTENT_FIELDS = {
    "subject",
    "body",
    "ack_required",
    "segment_ids",
    "company_id",
}
LOCKED_STATES = ("sending", "sent", "failed")
# mailing trace statuses of a mail that left: the letter was sent to this
# customer (a bounce comes back after the mail was sent)
MAILED_STATUSES = ("pending", "sent", "open", "reply", "bounce")
# mailing trace statuses of a mail that was never sent
FAILED_STATUSES = ("error", "cancel")
# recipients recorded (points granted, note logged) per run of the cron
SENDING_BATCH_SIZE = 1000
# Fields only the workflow actions set (through _write_internal, after their
# own checks): a direct write would skip the approval rules.
WORKFLOW_FIELDS = {"state", "approver_id", "approval_date", "sent_date"}


class CustomerLetter(models.Model):
    _name = "customer.letter"
    _description = "Customer letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    # translate=True: one subject and one body per language, edited with the
    # field's language button; each customer gets the text of their language
    subject = fields.Char(
        required=True,
        translate=True,
        help="Mail subject; may hold placeholders such as {{ object.company_name }}.",
    )
    body = fields.Html(
        translate=True,
        help="Letter body. Placeholders: {{ object.company_name }}, "
        "{{ object.contact_name }}, {{ object.points_balance }}, "
        "{{ object.points_granted }}, {{ object.points_expiry_date }}, "
        "{{ object.points_expiring }}, {{ object.sla_tier }}, "
        "{{ object.ticket_count_12m }}, {{ object.customer_since }}, "
        "{{ object.segment_paragraphs }}, {{ object.ack_url }}. "
        'A default after "|||" is used when the value is empty: '
        "{{ object.sla_tier ||| Standard }}.",
    )
    is_template = fields.Boolean(
        help="A template is never sent: use it to start new letters.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    segment_ids = fields.One2many(
        comodel_name="customer.letter.segment",
        inverse_name="letter_id",
        string="Segments",
        copy=True,
    )
    ack_required = fields.Boolean(
        string="Ask for acknowledgement",
        help="The letter carries a personal link ({{ object.ack_url }}) to a "
        "page where the customer acknowledges the terms.",
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("approved", "Approved"),
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("failed", "Not sent: every mail failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    approver_id = fields.Many2one(
        comodel_name="res.users",
        readonly=True,
        copy=False,
        ondelete="restrict",
        tracking=True,
    )
    approval_date = fields.Datetime(readonly=True, copy=False)
    sent_date = fields.Datetime(readonly=True, copy=False)
    mailing_id = fields.Many2one(
        comodel_name="mailing.mailing",
        readonly=True,
        copy=False,
        index=True,
        ondelete="restrict",
    )
    recipient_ids = fields.One2many(
        comodel_name="customer.letter.recipient",
        inverse_name="letter_id",
        readonly=True,
    )
    ack_ids = fields.One2many(
        comodel_name="customer.letter.ack",
        inverse_name="letter_id",
        readonly=True,
    )
    # live count of the customers the segments select (before sending)
    target_count = fields.Integer(
        string="Customers targeted", compute="_compute_target_count"
    )
    # statistics after sending
    recipient_count = fields.Integer(string="Recipients", compute="_compute_statistics")
    sent_count = fields.Integer(string="Sent", compute="_compute_statistics")
    delivered_count = fields.Integer(string="Delivered", compute="_compute_statistics")
    opened_count = fields.Integer(string="Opened", compute="_compute_statistics")
    bounced_count = fields.Integer(string="Bounced", compute="_compute_statistics")
    # progress of the sending, from the mailing's traces
    mailed_count = fields.Integer(string="Mailed", compute="_compute_statistics")
    to_mail_count = fields.Integer(string="To mail", compute="_compute_statistics")
    failed_count = fields.Integer(
        string="Failed or cancelled", compute="_compute_statistics"
    )
    ack_count = fields.Integer(string="Acknowledged", compute="_compute_statistics")
    points_granted_total = fields.Integer(
        string="Points granted", compute="_compute_statistics"
    )
    # preview, inside the form
    preview_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Preview for",
        store=False,
        domain="[('parent_id', '=', False)]",
    )
    empty_segment_warning = fields.Char(compute="_compute_empty_segment_warning")
    preview_lang = fields.Selection(
        selection="_get_preview_langs",
        string="Preview in",
        store=False,
        help="Language to render the preview and the test in. Empty: the "
        "customer's own language.",
    )
    preview_subject = fields.Char(compute="_compute_preview")
    preview_body = fields.Html(compute="_compute_preview", sanitize=False)
    preview_error = fields.Text(compute="_compute_preview")

    @api.depends(
        "segment_ids",
        "segment_ids.domain",
        "segment_ids.min_tenure_years",
        "segment_ids.min_closed_tickets",
        "segment_ids.closed_tickets_months",
        "segment_ids.chargeable_only",
        "segment_ids.use_max_points",
        "segment_ids.max_points_balance",
        "segment_ids.sla_tier_ids",
        "company_id",
    )
    def _compute_target_count(self):
        for letter in self:
            partners = self.env["res.partner"].with_company(
                letter.company_id or self.env.company
            )
            try:
                domain = letter._get_partner_domain()
            except UserError:
                letter.target_count = 0
                continue
            letter.target_count = partners.search_count(domain) if domain else 0

    def _compute_statistics(self):
        recipients = self.env["customer.letter.recipient"]
        counts = dict(
            recipients._read_group(
                [("letter_id", "in", self.ids)], ["letter_id"], ["__count"]
            )
        )
        points = dict(
            recipients._read_group(
                [("letter_id", "in", self.ids), ("points_granted_done", "=", True)],
                ["letter_id"],
                ["points_grant:sum"],
            )
        )
        acks = dict(
            self.env["customer.letter.ack"]._read_group(
                [("letter_id", "in", self.ids)], ["letter_id"], ["__count"]
            )
        )
        # sudo: count the traces of these letters' own mailings only
        trace_counts = (
            self.env["mailing.trace"]
            .sudo()
            ._read_group(
                [
                    ("mass_mailing_id", "in", self.mailing_id.ids),
                    ("model", "=", "customer.letter.recipient"),
                ],
                ["mass_mailing_id", "trace_status"],
                ["__count"],
            )
        )
        mailed, failed = {}, {}
        for mailing, status, count in trace_counts:
            if status in MAILED_STATUSES:
                mailed[mailing.id] = mailed.get(mailing.id, 0) + count
            elif status in FAILED_STATUSES:
                failed[mailing.id] = failed.get(mailing.id, 0) + count
        for letter in self:
            # sudo: read the linked mailing's trace counters only
            mailing = letter.mailing_id.sudo()
            letter.recipient_count = counts.get(letter, 0)
            letter.mailed_count = mailed.get(mailing.id, 0)
            letter.failed_count = failed.get(mailing.id, 0)
            letter.to_mail_count = (
                letter.recipient_count - letter.mailed_count - letter.failed_count
            )
            letter.ack_count = acks.get(letter, 0)
            letter.points_granted_total = points.get(letter, 0)
            letter.sent_count = mailing.sent if mailing else 0
            letter.delivered_count = mailing.delivered if mailing else 0
            letter.opened_count = mailing.opened if mailing else 0
            letter.bounced_count = mailing.bounced if mailing else 0

    @api.depends("segment_ids.recipient_count", "is_template", "state")
    def _compute_empty_segment_warning(self):
        """Segments that match no customer, said on the draft as soon as it
        exists (a letter started from a template included), not only when it
        is submitted."""
        for letter in self:
            empty = letter.segment_ids.filtered(lambda s: not s.recipient_count)
            if letter.is_template or letter.state != "draft" or not empty:
                letter.empty_segment_warning = False
                continue
            letter.empty_segment_warning = _(
                "No customer matches %(segments)s yet: change their criteria "
                "or remove them before submitting.",
                segments=", ".join(empty.mapped("name")),
            )

    @api.model
    def _get_preview_langs(self):
        return self.env["res.lang"].get_installed()

    @api.depends("preview_partner_id", "preview_lang", "subject", "body", "segment_ids")
    def _compute_preview(self):
        for letter in self:
            letter.preview_subject = False
            letter.preview_body = False
            letter.preview_error = False
            if not letter.preview_partner_id:
                continue
            try:
                subject, body = letter._render_preview(
                    letter.preview_partner_id, lang=letter.preview_lang
                )
            except UserError as exc:
                letter.preview_error = exc.args[0]
                continue
            letter.preview_subject = subject
            letter.preview_body = body

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("state", "draft") != "draft" or any(
                    vals.get(fname) for fname in WORKFLOW_FIELDS - {"state"}
                ):
                    raise UserError(
                        _(
                            "Letter %(letter)s: a new letter starts as a draft; "
                            "its state and approval are set only by the Submit, "
                            "Approve and Send buttons.",
                            letter=vals.get("name") or _("(new)"),
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and WORKFLOW_FIELDS & set(vals):
            raise UserError(
                _(
                    "Letter %(letter)s: its state, approver and dates change "
                    "only through the Submit, Approve, Send, Cancel and Reset "
                    "buttons, which check who may do it.",
                    letter=", ".join(self.mapped("display_name")),
                )
            )
        if any(letter.state in LOCKED_STATES for letter in self) and (
            LETTER_CONTENT_FIELDS | {"name"}
        ) & set(vals):
            raise UserError(
                _(
                    "Letter %(letter)s has been sent: its text and segments are "
                    "a permanent record and cannot be changed. Duplicate it to "
                    "write a new letter.",
                    letter=self.filtered(lambda lt: lt.state in LOCKED_STATES)[
                        :1
                    ].display_name,
                )
            )
        res = super().write(vals)
        if LETTER_CONTENT_FIELDS & set(vals):
            self._reset_to_draft_on_change()
        return res

    def _write_internal(self, vals):
        """Workflow writes: state and approval fields, without the checks of
        write(). Private (not callable over RPC); callers check the rights and
        the transition first."""
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        for letter in self:
            if letter.state in LOCKED_STATES or letter.recipient_ids:
                raise UserError(
                    _(
                        "Letter %(letter)s has been sent to customers and is kept "
                        "as a record; cancel it instead of deleting it.",
                        letter=letter.display_name,
                    )
                )

    def _reset_to_draft_on_change(self):
        """An edit to an approved (or submitted) letter withdraws the approval."""
        to_reset = self.filtered(lambda lt: lt.state in ("to_approve", "approved"))
        if to_reset:
            to_reset._write_internal(
                {"state": "draft", "approver_id": False, "approval_date": False}
            )
            for letter in to_reset:
                letter.message_post(
                    body=_("The letter was edited: it needs a new approval."),
                    subtype_xmlid="mail.mt_note",
                )
        locked = self.filtered(lambda lt: lt.state in LOCKED_STATES)
        if locked:
            raise UserError(
                _(
                    "Letter %(letter)s has been sent; its segments cannot be "
                    "changed any more.",
                    letter=locked[0].display_name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_submit(self):
        for letter in self:
            if letter.state != "draft":
                raise UserError(
                    _(
                        "Only a draft letter can be submitted; %(letter)s is "
                        "%(state)s.",
                        letter=letter.display_name,
                        state=letter._state_label(),
                    )
                )
            letter._check_ready()
            letter._write_internal({"state": "to_approve"})
        return True

    def action_approve(self):
        self._check_approver()
        for letter in self:
            if letter.state not in ("draft", "to_approve"):
                raise UserError(
                    _(
                        "Letter %(letter)s is %(state)s and cannot be approved.",
                        letter=letter.display_name,
                        state=letter._state_label(),
                    )
                )
            letter._check_ready()
            letter._write_internal(
                {
                    "state": "approved",
                    "approver_id": self.env.user.id,
                    "approval_date": fields.Datetime.now(),
                }
            )
        return True

    def action_reset_draft(self):
        for letter in self:
            if letter.state not in ("to_approve", "approved", "cancelled"):
                raise UserError(
                    _(
                        "Letter %(letter)s is %(state)s and cannot go back to draft.",
                        letter=letter.display_name,
                        state=letter._state_label(),
                    )
                )
        self._write_internal(
            {"state": "draft", "approver_id": False, "approval_date": False}
        )
        return True

    def action_cancel(self):
        for letter in self:
            if letter.state in LOCKED_STATES:
                raise UserError(
                    _(
                        "Letter %(letter)s is already being sent and cannot be "
                        "cancelled.",
                        letter=letter.display_name,
                    )
                )
        self._write_internal({"state": "cancelled"})
        return True

    def action_use_template(self):
        self.ensure_one()
        letter = self.copy(
            {"name": _("%(name)s (new)", name=self.name), "is_template": False}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": letter.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_send_test(self):
        """Send the letter as rendered for the preview customer (or the first
        customer of the segments) to the current user only, in the preview's
        language. The form passes the preview customer and language in the
        button's context: they are not stored, so the saved record the button
        runs on does not hold them."""
        self.ensure_one()
        if not self.env.user.email:
            raise UserError(
                _(
                    "Your user %(user)s has no email address to send the test "
                    "to; set one in your preferences.",
                    user=self.env.user.name,
                )
            )
        partner = self.preview_partner_id or self.env["res.partner"].browse(
            self.env.context.get("customer_letter_preview_partner_id") or []
        )
        lang = self.preview_lang or self.env.context.get("customer_letter_preview_lang")
        if lang not in dict(self._get_preview_langs()):
            lang = None
        if not partner:
            domain = self._get_partner_domain()
            partner = self.env["res.partner"].search(domain, limit=1, order="id")
        if not partner:
            raise UserError(
                _(
                    "Letter %(letter)s: no customer to render the test for; pick "
                    "one in 'Preview for' or widen the segments.",
                    letter=self.display_name,
                )
            )
        subject, body = self._render_preview(partner, lang=lang)
        # sudo: mail.mail is technical; the mail goes to the current user's
        # own address only
        self.env["mail.mail"].sudo().create(
            {
                "subject": _("[Test] %(subject)s", subject=subject),
                "body_html": body,
                "email_to": self.env.user.email_formatted,
                "email_from": self._get_email_from(),
                "auto_delete": True,
            }
        )
        self.message_post(
            body=_(
                "Test sent to %(email)s, rendered for %(customer)s.",
                email=self.env.user.email,
                customer=partner.display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "Test letter sent to %(email)s.", email=self.env.user.email
                ),
                "sticky": False,
            },
        }

    def action_send(self):
        """Send the approved letter: record its recipients (rendered once),
        then put its mailing in the mass mailing queue. Nothing is mailed in
        this call: the mailing cron sends the mails, and the letters cron
        (_cron_process_sending) grants the points and logs the letter on the
        customers whose mail was sent, then marks the letter sent (or failed).
        Safe to call again on a letter being sent: only customers without a
        recipient row are added and the mailing is queued again if needed."""
        self._check_sender()
        for letter in self:
            if letter.is_template:
                raise UserError(
                    _(
                        "%(letter)s is a template; use it to create a letter.",
                        letter=letter.display_name,
                    )
                )
            if letter.state not in ("approved", "sending"):
                raise UserError(
                    _(
                        "Letter %(letter)s is %(state)s: only an approved letter "
                        "can be sent. Submit it and have a letters manager "
                        "approve it.",
                        letter=letter.display_name,
                        state=letter._state_label(),
                    )
                )
            letter._check_grants()
            letter._check_grant_approval()
            letter._prepare_recipients()
            letter._ensure_mailing()
            letter._write_internal(
                {
                    "state": "sending",
                    "sent_date": letter.sent_date or fields.Datetime.now(),
                }
            )
            letter._queue_mailing()
        # the letters cron follows the sending from the first mails on
        self.env.ref("customer_letters.ir_cron_customer_letter_sending")._trigger(
            fields.Datetime.now() + timedelta(minutes=1)
        )
        return True

    def action_confirm_send(self):
        """The Send button: a confirmation that says to how many customers
        (and in which languages) the letter goes, counted now; its button
        sends (action_send)."""
        self.ensure_one()
        self._check_sender()
        if self.is_template or self.state != "approved":
            raise UserError(
                _(
                    "Letter %(letter)s is %(state)s: only an approved letter "
                    "can be sent.",
                    letter=self.display_name,
                    state=self._state_label(),
                )
            )
        Wizard = self.env["customer.letter.send"]
        wizard = Wizard.create(Wizard._prepare_vals(self))
        return {
            "type": "ir.actions.act_window",
            "name": _("Send the letter"),
            "res_model": Wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_mailing(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": self.mailing_id.id,
            "view_mode": "form",
        }

    def action_open_recipients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_letters.customer_letter_recipient_action"
        )
        action["domain"] = [("letter_id", "=", self.id)]
        action["context"] = {"default_letter_id": self.id}
        return action

    def action_open_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_letters.customer_letter_effect_action"
        )
        action["domain"] = [("letter_id", "=", self.id)]
        action["display_name"] = _("Effect of %(letter)s", letter=self.display_name)
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _check_approver(self):
        if not self.env.user.has_group("customer_letters.group_letters_manager"):
            raise AccessError(
                _(
                    "Only a Letters manager can approve a letter; ask one to "
                    "approve %(letter)s.",
                    letter=", ".join(self.mapped("display_name")),
                )
            )
        granting = self.filtered(lambda lt: any(lt.segment_ids.mapped("grant_points")))
        if granting and not self.env.user.has_group(
            "support_points.group_support_points_manager"
        ):
            raise AccessError(
                _(
                    "Letter %(letter)s grants service points: it must be approved "
                    "by a letters manager who is also a support points manager.",
                    letter=granting[0].display_name,
                )
            )

    def _check_grant_approval(self):
        """A letter that grants points is sent only if a support points
        manager approved it: the grants are made with sudo when mailed."""
        self.ensure_one()
        if not any(self.segment_ids.mapped("grant_points")):
            return
        approver = self.approver_id
        if not approver or not approver.has_group(
            "support_points.group_support_points_manager"
        ):
            raise AccessError(
                _(
                    "Letter %(letter)s grants service points but was not "
                    "approved by a support points manager: have one approve "
                    "it before sending.",
                    letter=self.display_name,
                )
            )

    def _check_sender(self):
        if not self.env.user.has_group("customer_letters.group_letters_manager"):
            raise AccessError(
                _(
                    "Only a Letters manager can send %(letter)s.",
                    letter=", ".join(self.mapped("display_name")),
                )
            )

    def _check_grants(self):
        self.ensure_one()
        for segment in self.segment_ids:
            if segment.grant_points < 0:
                raise UserError(
                    _(
                        "Segment %(segment)s of letter %(letter)s grants "
                        "%(points)s points: a grant must be a positive number "
                        "of points.",
                        segment=segment.name,
                        letter=self.display_name,
                        points=segment.grant_points,
                    )
                )
            if (
                segment.grant_points
                and segment.grant_expiry_date
                and segment.grant_expiry_date <= fields.Date.context_today(self)
            ):
                raise UserError(
                    _(
                        "Segment %(segment)s of letter %(letter)s grants points "
                        "that expire on %(date)s, which is not in the future.",
                        segment=segment.name,
                        letter=self.display_name,
                        date=segment.grant_expiry_date,
                    )
                )

    def _check_ready(self):
        """Everything an approver needs: text, segments with customers, valid
        grants, and placeholders that render for every customer."""
        self.ensure_one()
        if self.is_template:
            raise UserError(
                _(
                    "%(letter)s is a template; use it to create a letter.",
                    letter=self.display_name,
                )
            )
        if not self.segment_ids:
            raise UserError(
                _(
                    "Letter %(letter)s has no segment: add at least one segment "
                    "of customers.",
                    letter=self.display_name,
                )
            )
        self._check_grants()
        for segment in self.segment_ids:
            if not segment.recipient_count:
                raise UserError(
                    _(
                        "Segment %(segment)s of letter %(letter)s matches no "
                        "customer: change its criteria or remove it.",
                        segment=segment.name,
                        letter=self.display_name,
                    )
                )
        Recipient = self.env["customer.letter.recipient"]
        # every language's text: a translation is sent as written
        for lang, _name in self.env["res.lang"].get_installed():
            letter = self.with_context(lang=lang)
            Recipient._check_template(letter, letter.subject, html=False)
            Recipient._check_template(letter, letter.body, html=True)
            for segment in letter.segment_ids:
                Recipient._check_template(letter, segment.paragraph, html=True)
        if self.ack_required and "object.ack_url" not in (self.body or ""):
            raise UserError(
                _(
                    "Letter %(letter)s asks for an acknowledgement but its body "
                    "has no {{ object.ack_url }} link.",
                    letter=self.display_name,
                )
            )
        partners, segments_by_partner = self._match_customers()
        values = Recipient._prepare_values(self, partners, segments_by_partner)
        Recipient._render_values(self, values, raise_on_error=True)

    def _get_partner_domain(self):
        self.ensure_one()
        if not self.segment_ids:
            return []
        try:
            return expression.OR(
                [segment._get_partner_domain() for segment in self.segment_ids]
            )
        except Exception as exc:
            raise UserError(str(exc)) from exc

    def _match_customers(self):
        """One SQL query per segment; a customer in several segments is one
        recipient with each matching segment."""
        self.ensure_one()
        segments_by_partner = {}
        for segment in self.segment_ids.sorted(lambda s: (s.sequence, s.id)):
            for partner_id in segment._get_partners().ids:
                segments_by_partner.setdefault(partner_id, []).append(segment)
        partners = self.env["res.partner"].browse(sorted(segments_by_partner))
        return partners, segments_by_partner

    def _render_preview(self, partner, lang=None):
        """Render subject and body for one customer, without writing, in lang
        (else the customer's language)."""
        self.ensure_one()
        Recipient = self.env["customer.letter.recipient"]
        customer = partner.commercial_partner_id
        segments = self.segment_ids.filtered(lambda s: s._matches(customer))
        values = Recipient._prepare_values(
            self, customer, {customer.id: list(segments)}, preview=True, lang=lang
        )
        rendered = Recipient._render_values(self, values, raise_on_error=True)
        subject, body = rendered[0]
        if not segments:
            body = (
                Markup("<p><em>%s</em></p>")
                % _(
                    "%(customer)s is in none of this letter's segments: it "
                    "would not receive the letter.",
                    customer=customer.display_name,
                )
                + body
            )
        return subject, body

    def _get_email_from(self):
        self.ensure_one()
        return self.company_id.email_formatted or self.env.user.email_formatted

    def _prepare_recipients(self):
        """Create the missing recipient rows (one per customer, rendered once)."""
        self.ensure_one()
        Recipient = self.env["customer.letter.recipient"]
        partners, segments_by_partner = self._match_customers()
        existing = set(self.recipient_ids.customer_id.ids)
        new_partners = partners.filtered(lambda p: p.id not in existing)
        if not partners:
            raise UserError(
                _(
                    "Letter %(letter)s matches no customer: nothing was sent.",
                    letter=self.display_name,
                )
            )
        if not new_partners:
            return Recipient
        values = Recipient._prepare_values(self, new_partners, segments_by_partner)
        return Recipient._create_rendered(self, values)

    def _mailing_body(self):
        # The mass mailing composer sanitizes every mail's body three times
        # (message body, its cache, the mail), at a cost that grows with each
        # element: the unsubscribe footer is one paragraph and its link,
        # without wrapper or inline style.
        return Markup(
            '<t t-out="object.mail_body"/>'
            '<p><a href="/unsubscribe_from_list">%s</a></p>'
        ) % _("Unsubscribe from our mailings")

    def _ensure_mailing(self):
        self.ensure_one()
        if self.mailing_id:
            return self.mailing_id
        body = self._mailing_body()
        Recipient = self.env["customer.letter.recipient"]
        langs = set(self.recipient_ids.mapped("lang")) or {self.env.lang}
        subjects = {self.with_context(lang=lang).subject for lang in langs}
        if len(subjects) == 1:
            # one text for everyone: the mailing's title reads as the letter's
            # subject, and the composer renders its placeholders per customer
            subject = Recipient._mailing_subject(self.with_context(lang=langs.pop()))
        else:
            # a subject per language: each customer's, rendered when the
            # recipients were recorded
            subject = "{{ object.mail_subject }}"
        # sudo: the mailing is the technical carrier of an approved letter;
        # the letters manager need not be an email marketing user
        mailing = (
            self.env["mailing.mailing"]
            .sudo()
            .create(
                {
                    "subject": subject,
                    "mailing_type": "mail",
                    "mailing_model_id": self.env["ir.model"]._get_id(
                        "customer.letter.recipient"
                    ),
                    "mailing_domain": repr([("letter_id", "=", self.id)]),
                    "body_arch": body,
                    "body_html": body,
                    "email_from": self._get_email_from(),
                    "reply_to_mode": "update",
                    "keep_archives": False,
                    "user_id": self.env.user.id,
                }
            )
        )
        mailing.name = self.name
        self.mailing_id = mailing
        return mailing

    def _queue_mailing(self):
        """Put the letter's mailing in the mass mailing queue, unless it is
        already there; its cron sends it."""
        self.ensure_one()
        # sudo: see _ensure_mailing
        mailing = self.mailing_id.sudo()
        if mailing.state in ("in_queue", "sending"):
            return
        if mailing.state == "done" and not mailing._get_remaining_recipients():
            return
        mailing.action_launch()

    # ------------------------------------------------------------------
    # Following the sending (cron)
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_sending(self, batch_size=SENDING_BATCH_SIZE):
        """Record the recipients of letters being sent whose mail was sent
        (points granted once, a note on the customer), then mark each letter
        whose mailing is over as sent or failed. Works in batches and reports
        its progress: the cron framework commits each batch and runs the
        next one, so a long letter survives a restart, and a recipient is
        recorded once whatever the number of runs."""
        # the cron's user (superuser) sees the letters of every company
        letters = self.search([("state", "=", "sending")], order="id")
        Recipient = self.env["customer.letter.recipient"]
        done = 0
        for letter in letters:
            to_record = Recipient.search(
                letter._to_record_domain(), order="id", limit=batch_size - done
            )
            done += len(to_record._record_mailed())
            if done >= batch_size:
                break
            letter._update_sending_state()
        remaining = Recipient.search_count(
            letters.filtered(lambda lt: lt.state == "sending")._to_record_domain()
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _to_record_domain(self):
        """Recipients of these letters whose mail was sent and who are not
        recorded yet."""
        traces = self.env["mailing.trace"]._search(
            [
                ("mass_mailing_id", "in", self.mailing_id.ids),
                ("model", "=", "customer.letter.recipient"),
                ("trace_status", "in", MAILED_STATUSES),
            ]
        )
        return [
            ("letter_id", "in", self.ids),
            ("mailed", "=", False),
            ("id", "in", traces.subselect("res_id")),
        ]

    def _update_sending_state(self):
        """A letter is sent when its mailing is done, no mail waits in the
        mail queue and at least one mail was sent; failed when every mail
        failed or was cancelled."""
        for letter in self.filtered(lambda lt: lt.state == "sending"):
            mailing = letter.mailing_id
            if mailing.state != "done" or mailing._get_remaining_recipients():
                continue
            letter.invalidate_recordset(
                ["mailed_count", "to_mail_count", "failed_count"]
            )
            if letter.to_mail_count:
                continue  # mails still in the mail queue
            if self.env["customer.letter.recipient"].search_count(
                letter._to_record_domain(), limit=1
            ):
                continue  # the next batch records them first
            state = "sent" if letter.mailed_count else "failed"
            letter._write_internal({"state": state})
            letter.message_post(
                body=_(
                    "Sending finished: %(mailed)s mailed, %(failed)s failed or "
                    "cancelled.",
                    mailed=letter.mailed_count,
                    failed=letter.failed_count,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if not getattr(threading.current_thread(), "testing", False):
                _logger.info(
                    "Customer letter %s %s: %s mailed, %s failed",
                    letter.id,
                    state,
                    letter.mailed_count,
                    letter.failed_count,
                )

    @api.model
    def _process_sending_queues(self):
        """Run once what the crons do for letters being sent: the mass
        mailing queue, the mail queue, then the letters' own follow-up. For
        scripts and tests, run as the crons run (superuser); in production
        the three crons do it."""
        self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.env["mail.mail"].process_email_queue()
        return self._cron_process_sending()
