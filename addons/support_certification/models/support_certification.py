# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

EXPIRING_DAYS = 30
# Certifications per call of the daily crons.
CRON_BATCH = 100


class SupportCertification(models.Model):
    _name = "support.certification"
    _description = "Support Certification"
    _inherit = ["mail.thread"]
    _order = "date_expiry desc, id desc"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Person",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain=[("is_company", "=", False)],
    )
    commercial_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    level_id = fields.Many2one(
        comodel_name="support.certification.level",
        string="Level",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        related="level_id.tier_id",
        store=True,
        index=True,
    )
    date_obtained = fields.Date(
        default=fields.Date.context_today,
        tracking=True,
        help="Empty while the certification is pending: its training was "
        "bought, the person has not passed yet.",
    )
    date_expiry = fields.Date(
        compute="_compute_date_expiry",
        store=True,
        readonly=False,
        tracking=True,
        help="Computed from the level's validity; can be changed.",
    )
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("valid", "Valid"),
            ("expiring", "Expiring"),
            ("expired", "Expired"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
        help="Pending: not obtained yet (a training bought). Expiring: the "
        "certification expires within 30 days. Updated every day.",
    )
    reminder_sent = fields.Boolean(
        copy=False,
        readonly=True,
        help="The expiry reminder has been emailed to the person.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="level_id.company_id",
        store=True,
        index=True,
    )
    invoice_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Training Invoice Line",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The invoice line of the training this certification was bought with.",
    )

    @api.depends("level_id", "partner_id")
    def _compute_display_name(self):
        for cert in self:
            cert.display_name = _(
                "%(level)s - %(person)s",
                level=cert.level_id.name or "",
                person=cert.partner_id.name or "",
            )

    @api.depends("level_id.validity_months", "date_obtained")
    def _compute_date_expiry(self):
        for cert in self:
            months = cert.level_id.validity_months
            if cert.date_obtained and months:
                cert.date_expiry = cert.date_obtained + relativedelta(months=months)
            else:
                cert.date_expiry = False

    @api.depends("date_expiry", "date_obtained")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for cert in self:
            cert.state = cert._get_state(today)

    def _get_state(self, today):
        self.ensure_one()
        if not self.date_obtained:
            return "pending"
        if self.date_expiry and self.date_expiry < today:
            return "expired"
        if self.date_expiry and self.date_expiry <= today + timedelta(
            days=EXPIRING_DAYS
        ):
            return "expiring"
        return "valid"

    @api.constrains("date_obtained", "date_expiry")
    def _check_dates(self):
        for cert in self:
            if cert.date_expiry and not cert.date_obtained:
                raise ValidationError(
                    _(
                        "Certification %(cert)s is pending (not obtained yet): "
                        "it cannot have an expiry date.",
                        cert=cert.display_name,
                    )
                )
            if cert.date_expiry and cert.date_expiry <= cert.date_obtained:
                raise ValidationError(
                    _(
                        "Certification %(cert)s: the expiry date %(expiry)s must be "
                        "after the date obtained %(obtained)s.",
                        cert=cert.display_name,
                        expiry=cert.date_expiry,
                        obtained=cert.date_obtained,
                    )
                )

    @api.constrains("partner_id")
    def _check_person(self):
        for cert in self:
            if cert.partner_id.is_company:
                raise ValidationError(
                    _(
                        "Certification %(cert)s: certifications are held by people, "
                        "not by the company %(company)s.",
                        cert=cert.display_name,
                        company=cert.partner_id.name,
                    )
                )

    def write(self, vals):
        if "date_expiry" in vals or "level_id" in vals:
            vals = dict(vals, reminder_sent=False)
        return super().write(vals)

    def action_mark_obtained(self):
        """The pending certifications are obtained today."""
        self.filtered(lambda c: c.state == "pending").write(
            {"date_obtained": fields.Date.context_today(self)}
        )
        return True

    @api.model
    def _valid_domain(self, today=None):
        """Certifications granting their tier on ``today``."""
        today = today or fields.Date.context_today(self)
        return [
            ("date_obtained", "<=", today),
            "|",
            ("date_expiry", "=", False),
            ("date_expiry", ">=", today),
        ]

    @api.model
    def _state_update_domain(self, today):
        """Certifications whose stored state is behind ``today``: expired
        ones not marked expired, expiring ones still marked valid (time only
        moves forward; a changed date recomputes the state when written)."""
        limit = today + timedelta(days=EXPIRING_DAYS)
        return expression.OR(
            [
                [("date_expiry", "<", today), ("state", "!=", "expired")],
                [
                    ("date_expiry", ">=", today),
                    ("date_expiry", "<=", limit),
                    ("state", "=", "valid"),
                ],
            ]
        )

    @api.model
    def _update_state_batch(self, today, batch_size):
        """Move one batch of certifications to expiring / expired. Return
        ``(done, remaining)``: a moved certification leaves
        ``_state_update_domain``, so running the batch again writes nothing."""
        domain = self._state_update_domain(today)
        certs = self.search(domain, order="id", limit=batch_size)
        for state, to_write in certs.grouped(lambda c: c._get_state(today)).items():
            to_write.write({"state": state})
        return len(certs), self.search_count(domain)

    @api.model
    def _cron_update_state(self, batch_size=CRON_BATCH):
        """Daily: move certifications to expiring / expired as time passes.

        One batch per call, reported with the cron progress API: Odoo's cron
        runner commits it and calls again while some remain.
        """
        done, remaining = self._update_state_batch(
            fields.Date.context_today(self), batch_size
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    @api.model
    def _expiry_reminder_domain(self):
        return [
            ("state", "=", "expiring"),
            ("reminder_sent", "=", False),
            ("partner_id.email", "!=", False),
        ]

    @api.model
    def _cron_send_expiry_reminders(self, batch_size=CRON_BATCH):
        """Daily: email each person whose certification expires soon, once.

        Each call first brings one batch of states up to date (see
        ``_cron_update_state``), then emails one batch of reminders and marks
        them sent in the same transaction; both are reported with the cron
        progress API, and Odoo's cron runner commits and calls again while
        some remain. A reminded certification leaves
        ``_expiry_reminder_domain``: a batch run again after a restart sends
        nothing twice.
        """
        state_done, state_remaining = self._update_state_batch(
            fields.Date.context_today(self), batch_size
        )
        template = self.env.ref(
            "support_certification.mail_template_certification_expiry",
            raise_if_not_found=False,
        )
        certs = self.browse()
        remaining = 0
        if template:
            domain = self._expiry_reminder_domain()
            certs = self.search(domain, order="id", limit=batch_size)
            if certs:
                certs.message_post_with_source(
                    template, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
                certs.write({"reminder_sent": True})
            remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(
            done=state_done + len(certs), remaining=state_remaining + remaining
        )
        return True
