# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

EXPIRING_DAYS = 30


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
        required=True, default=fields.Date.context_today, tracking=True
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
            ("valid", "Valid"),
            ("expiring", "Expiring"),
            ("expired", "Expired"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
        help="Expiring: the certification expires within 30 days. Updated every day.",
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
    def _cron_update_state(self):
        """Daily: move certifications to expiring / expired as time passes."""
        today = fields.Date.context_today(self)
        limit = today + timedelta(days=EXPIRING_DAYS)
        certs = self.search(
            [
                ("date_expiry", "!=", False),
                ("date_expiry", "<=", limit),
                ("state", "!=", "expired"),
            ]
        )
        certs_by_state = {}
        for cert in certs:
            state = cert._get_state(today)
            if state != cert.state:
                certs_by_state.setdefault(state, self.browse())
                certs_by_state[state] |= cert
        for state, to_write in certs_by_state.items():
            to_write.write({"state": state})
        return True

    @api.model
    def _cron_send_expiry_reminders(self):
        """Daily: email each person whose certification expires soon, once."""
        self._cron_update_state()
        template = self.env.ref(
            "support_certification.mail_template_certification_expiry",
            raise_if_not_found=False,
        )
        if not template:
            return False
        certs = self.search(
            [
                ("state", "=", "expiring"),
                ("reminder_sent", "=", False),
                ("partner_id.email", "!=", False),
            ]
        )
        if certs:
            certs.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        certs.write({"reminder_sent": True})
        return True
