# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.osv import expression

# Periods per call of the daily reminder cron.
CRON_BATCH = 100


class SupportSlaTierPeriod(models.Model):
    """A period of an SLA tier a customer bought, or got as a bonus.

    A period follows the invoice line that bought it
    (``account.move.line._support_certification_sync``): it exists while the
    invoice is posted, in the quantity the invoice still bills (its quantity
    less what its credit notes credit), and is cancelled when the invoice is
    reset to draft, cancelled or wholly credited. The bonus points and the
    bonus tier it earned follow it the same way.
    """

    _name = "support.sla.tier.period"
    _description = "Purchased SLA Tier Period"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        help="Always the commercial partner (the customer's company).",
    )
    contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Contact",
        readonly=True,
        ondelete="set null",
        help="The invoice's contact, reminded before the period ends.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        ondelete="set null",
        help="The invoice's salesperson, reminded before the period ends.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    kind = fields.Selection(
        selection=[("purchase", "Purchase"), ("bonus", "Multi-period bonus")],
        required=True,
        readonly=True,
        default="purchase",
    )
    parent_id = fields.Many2one(
        comodel_name="support.sla.tier.period",
        string="Purchased Period",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The purchased period a bonus period was earned with.",
    )
    bonus_period_ids = fields.One2many(
        comodel_name="support.sla.tier.period",
        inverse_name="parent_id",
        string="Bonus Periods",
        readonly=True,
    )
    invoice_line_id = fields.Many2one(
        comodel_name="account.move.line",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        readonly=True,
        ondelete="set null",
    )
    months = fields.Integer(
        readonly=True, help="Months one period lasts (the product's duration)."
    )
    quantity = fields.Integer(
        readonly=True,
        help="Periods bought at once and still billed (credit notes deducted).",
    )
    date_start = fields.Date(string="From", required=True, readonly=True, index=True)
    date_end = fields.Date(
        string="Until",
        required=True,
        readonly=True,
        index=True,
        help="Last day the tier is given (included).",
    )
    state = fields.Selection(
        selection=[("active", "Active"), ("cancelled", "Cancelled")],
        required=True,
        readonly=True,
        default="active",
        index=True,
        help="Cancelled: the invoice was reset to draft, cancelled or credited.",
    )
    early_renewal = fields.Boolean(
        readonly=True,
        help="Bought within the company's early renewal window before the end "
        "of the customer's current period.",
    )
    multi_period_bonus = fields.Selection(
        selection=[
            ("none", "No bonus"),
            ("points", "Support points"),
            ("tier", "The next tier up"),
        ],
        readonly=True,
        default="none",
        help="The company's multi-period bonus when the period was bought.",
    )
    bonus_tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        readonly=True,
        ondelete="set null",
        help="The next tier up, given for the committed period when the "
        "multi-period bonus is a tier.",
    )
    renewal_points = fields.Integer(
        readonly=True, help="Early renewal bonus earned when bought."
    )
    multi_points = fields.Integer(
        readonly=True, help="Multi-period bonus points earned when bought."
    )
    renewal_points_booked = fields.Integer(
        readonly=True, help="Early renewal points on the customer's ledger."
    )
    multi_points_booked = fields.Integer(
        readonly=True, help="Multi-period points on the customer's ledger."
    )
    points_move_ids = fields.Many2many(
        comodel_name="support.points.move",
        relation="support_sla_tier_period_points_move_rel",
        column1="period_id",
        column2="move_id",
        string="Bonus Points Lines",
        readonly=True,
    )
    reminder_customer_sent = fields.Boolean(
        copy=False,
        readonly=True,
        help="The contact was reminded of the end (or needed no reminder: renewed).",
    )
    reminder_salesperson_sent = fields.Boolean(
        copy=False,
        readonly=True,
        help="The salesperson was reminded of the end (or needed no reminder).",
    )

    @api.depends("tier_id", "partner_id", "date_start", "date_end")
    def _compute_display_name(self):
        for period in self:
            period.display_name = _(
                "%(tier)s for %(customer)s, %(start)s - %(end)s",
                tier=period.tier_id.name or "",
                customer=period.partner_id.name or "",
                start=period.date_start or "",
                end=period.date_end or "",
            )

    # ------------------------------------------------------------------
    # Business methods: purchase and changes (called by the invoice lines,
    # in sudo: see account.move.line._support_certification_sync)
    # ------------------------------------------------------------------

    @api.model
    def _active_domain(self, today=None):
        """Periods giving their tier on ``today``."""
        today = today or fields.Date.context_today(self)
        return [
            ("state", "=", "active"),
            ("date_start", "<=", today),
            ("date_end", ">=", today),
        ]

    @api.model
    def _current_end(self, partner, company, tier, exclude_line=None):
        """End of the customer's purchased periods of ``tier`` or a better
        tier: a new purchase starts after it (never pay twice for the same
        days; an upgrade starts at once)."""
        domain = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("kind", "=", "purchase"),
            ("state", "=", "active"),
            ("tier_id.sequence", ">=", tier.sequence),
        ]
        if exclude_line:
            domain.append(("invoice_line_id", "!=", exclude_line.id))
        last = self.search(domain, order="date_end desc", limit=1)
        return last.date_end

    @api.model
    def _next_tier_up(self, tier):
        return self.env["support.sla.tier"].search(
            [
                ("company_id", "=", tier.company_id.id),
                ("sequence", ">", tier.sequence),
            ],
            order="sequence, id",
            limit=1,
        )

    @api.model
    def _purchase(self, line, tier, quantity, reason="post"):
        """Create the period ``line`` buys (``quantity`` periods of ``tier``)
        from the later of the invoice date and the end of the customer's
        current period, with the bonuses the company gives for it."""
        move = line.move_id
        company = move.company_id
        partner = move.commercial_partner_id
        invoice_date = move.invoice_date or move.date
        start = invoice_date
        early = False
        current_end = self._current_end(partner, company, tier, exclude_line=line)
        if current_end and current_end >= invoice_date:
            start = current_end + timedelta(days=1)
            window = company.support_tier_renewal_window_days
            early = bool(window) and (current_end - invoice_date).days <= window
        bonus = company.support_tier_multi_period_bonus
        months = line.product_id.support_sla_months
        period = self.with_context(mail_create_nosubscribe=True).create(
            {
                "partner_id": partner.id,
                "contact_id": move.partner_id.id,
                "user_id": (move.invoice_user_id or partner.user_id).id,
                "company_id": company.id,
                "tier_id": tier.id,
                "invoice_line_id": line.id,
                "move_id": move.id,
                "product_id": line.product_id.id,
                "months": months,
                "quantity": quantity,
                "date_start": start,
                "date_end": self._end_date(start, months, quantity),
                "early_renewal": early,
                "renewal_points": early and company.support_tier_renewal_points,
                "multi_period_bonus": bonus,
                "multi_points": bonus == "points"
                and company.support_tier_multi_period_points,
                "bonus_tier_id": bonus == "tier" and self._next_tier_up(tier).id,
            }
        )
        period._sync_bonuses(reason)
        return period

    @api.model
    def _end_date(self, start, months, quantity):
        return start + relativedelta(months=months * quantity) - timedelta(days=1)

    def _set_quantity(self, quantity, reason):
        """Bring purchased periods to the ``quantity`` their line bills now
        (0: cancelled), their bonuses with them."""
        for period in self:
            if period.state != "active" or period.quantity == quantity:
                continue
            if quantity:
                period.write(
                    {
                        "quantity": quantity,
                        "date_end": self._end_date(
                            period.date_start, period.months, quantity
                        ),
                    }
                )
            else:
                period.write({"state": "cancelled"})
            period._sync_bonuses(reason)

    def _sync_bonuses(self, reason):
        """Book the bonus points and the bonus tier the period earns now.

        Early renewal: while the period is active. Multi-period: while it
        bills at least two periods. Points are granted through
        ``support_points_grant``; points no longer earned are taken back by
        an adjustment line with the reason (support_points has no public
        reversal of a grant).
        """
        self.ensure_one()
        quantity = self.quantity if self.state == "active" else 0
        multi = quantity >= 2
        dues = (
            (
                "renewal_points",
                self.renewal_points if quantity else 0,
                _(
                    "Early renewal bonus: %(tier)s renewed on %(invoice)s before "
                    "the current period ended",
                    tier=self.tier_id.name,
                    invoice=self.move_id.name,
                ),
            ),
            (
                "multi_points",
                self.multi_points if multi else 0,
                _(
                    "Multi-period bonus: %(quantity)s periods of %(tier)s "
                    "bought at once on %(invoice)s",
                    quantity=self.quantity,
                    tier=self.tier_id.name,
                    invoice=self.move_id.name,
                ),
            ),
        )
        for name, due, note in dues:
            booked = self[f"{name}_booked"]
            if due == booked:
                continue
            if due > booked:
                move_id = self.partner_id.with_company(
                    self.company_id
                ).support_points_grant(due - booked, note)
            else:
                move_id = (
                    self.env["support.points.move"]
                    .create(
                        {
                            "partner_id": self.partner_id.id,
                            "company_id": self.company_id.id,
                            "points": due - booked,
                            "kind": "adjust",
                            "note": self._take_back_note(reason),
                        }
                    )
                    .id
                )
            self.write(
                {
                    f"{name}_booked": due,
                    "points_move_ids": [fields.Command.link(move_id)],
                }
            )
        self._sync_bonus_tier(multi)

    def _sync_bonus_tier(self, multi):
        self.ensure_one()
        bonus = self.bonus_period_ids.filtered(lambda p: p.state == "active")
        if not (multi and self.multi_period_bonus == "tier" and self.bonus_tier_id):
            bonus.write({"state": "cancelled"})
            return
        vals = {"date_start": self.date_start, "date_end": self.date_end}
        if bonus:
            bonus.write(vals)
            return
        self.with_context(mail_create_nosubscribe=True).create(
            dict(
                vals,
                kind="bonus",
                parent_id=self.id,
                partner_id=self.partner_id.id,
                contact_id=self.contact_id.id,
                user_id=self.user_id.id,
                company_id=self.company_id.id,
                tier_id=self.bonus_tier_id.id,
                invoice_line_id=self.invoice_line_id.id,
                move_id=self.move_id.id,
                product_id=self.product_id.id,
                months=self.months,
                quantity=self.quantity,
                reminder_customer_sent=True,
                reminder_salesperson_sent=True,
            )
        )

    def _take_back_note(self, reason):
        self.ensure_one()
        invoice = self.move_id.name
        tier = self.tier_id.name
        if reason == "cancel":
            return _(
                "Invoice %(invoice)s cancelled: the %(tier)s bonus points are "
                "taken back",
                invoice=invoice,
                tier=tier,
            )
        if reason == "credit":
            return _(
                "Invoice %(invoice)s credited: the %(tier)s bonus points it no "
                "longer earns are taken back",
                invoice=invoice,
                tier=tier,
            )
        return _(
            "Invoice %(invoice)s reset to draft: the %(tier)s bonus points are "
            "taken back",
            invoice=invoice,
            tier=tier,
        )

    # ------------------------------------------------------------------
    # Renewal reminders
    # ------------------------------------------------------------------

    @api.model
    def _reminder_domain(self, today):
        """Active purchased periods ending within their company's reminder
        days whose contact or salesperson was not reminded yet."""
        per_company = [
            [
                ("company_id", "=", company.id),
                (
                    "date_end",
                    "<=",
                    today + timedelta(days=company.support_tier_reminder_days),
                ),
            ]
            for company in self.env["res.company"].search([])
            if company.support_tier_reminder_days
        ]
        if not per_company:
            return expression.FALSE_DOMAIN
        return expression.AND(
            [
                [
                    ("kind", "=", "purchase"),
                    ("state", "=", "active"),
                    ("date_end", ">=", today),
                    "|",
                    ("reminder_customer_sent", "=", False),
                    ("reminder_salesperson_sent", "=", False),
                ],
                expression.OR(per_company),
            ]
        )

    def _renewed(self):
        """The periods of ``self`` followed by another active purchased
        period of the customer (any tier) ending later: renewed already."""
        if not self:
            return self
        groups = self._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("kind", "=", "purchase"),
                ("state", "=", "active"),
            ],
            groupby=["partner_id", "company_id"],
            aggregates=["date_end:max"],
        )
        last_end = {
            (partner.id, company.id): date_end for partner, company, date_end in groups
        }
        return self.filtered(
            lambda p: last_end.get((p.partner_id.id, p.company_id.id)) > p.date_end
        )

    @api.model
    def _cron_send_renewal_reminders(self, batch_size=CRON_BATCH):
        """Daily: remind the contact and the salesperson of a purchased
        period that ends soon, once each, with the renewal offer.

        One batch per call, reported with the cron progress API: Odoo's cron
        runner commits it and calls again while some remain. Every period of
        a batch leaves ``_reminder_domain`` (reminded, or renewed: no
        reminder needed), so a batch run again sends nothing twice.
        """
        customer_template = self.env.ref(
            "support_certification.mail_template_tier_renewal_customer",
            raise_if_not_found=False,
        )
        salesperson_template = self.env.ref(
            "support_certification.mail_template_tier_renewal_salesperson",
            raise_if_not_found=False,
        )
        if not (customer_template and salesperson_template):
            # a deleted template: remind nobody rather than mark them reminded
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return True
        domain = self._reminder_domain(fields.Date.context_today(self))
        periods = self.search(domain, order="date_end, id", limit=batch_size)
        to_remind = periods - periods._renewed()
        customers = to_remind.filtered(
            lambda p: not p.reminder_customer_sent and p.contact_id.email
        )
        if customers:
            customers.message_post_with_source(
                customer_template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        salespeople = to_remind.filtered(
            lambda p: not p.reminder_salesperson_sent and p.user_id
        )
        if salespeople:
            salespeople.message_post_with_source(
                salesperson_template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        periods.write(
            {"reminder_customer_sent": True, "reminder_salesperson_sent": True}
        )
        self.env["ir.cron"]._notify_progress(
            done=len(periods), remaining=self.search_count(domain)
        )
        return True
