# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

# Written only by the charge and refund code, through sudo(): a user writing
# them would skip or fake the charge.
CHARGE_FIELDS = (
    "support_charge_state",
    "support_points_charged",
    "support_charge_rule_id",
    "support_fee_line_id",
    "support_points_refunded",
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    support_vendor_fault = fields.Boolean(
        string="Caused by us",
        tracking=True,
        help="The problem was caused by us: the customer is credited instead "
        "of charged when the ticket closes.",
    )
    support_charge_rule_id = fields.Many2one(
        comodel_name="support.charge.rule",
        string="Charge rule",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    support_points_charged = fields.Integer(
        string="Points charged",
        readonly=True,
        copy=False,
        help="Points taken from the customer when the ticket closed; negative "
        "when points were credited back.",
    )
    support_charge_state = fields.Selection(
        selection=[
            ("none", "Not charged"),
            ("charged", "Points used"),
            ("free", "Free"),
            ("credited", "Points credited"),
            ("fee", "Fee invoiced"),
        ],
        string="Charge",
        required=True,
        readonly=True,
        copy=False,
        default="none",
        tracking=True,
    )
    support_fee_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Fee invoice line",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    support_points_refunded = fields.Boolean(
        string="Charge refunded", readonly=True, copy=False, tracking=True
    )
    support_points_balance = fields.Integer(
        string="Customer points",
        compute="_compute_support_points_balance",
        help="Support points left to the customer's company.",
    )
    support_points_low = fields.Boolean(
        string="Low points balance", compute="_compute_support_points_balance"
    )

    support_points_pack_ids = fields.Many2many(
        comodel_name="product.product",
        string="Points packs on offer",
        compute="_compute_support_points_pack_ids",
    )

    # our own QWeb template's output, not user input: no sanitizing (which
    # would parse the HTML again for every closing email)
    support_points_mail_note = fields.Html(
        string="Points note for the closing email",
        compute="_compute_support_points_mail_note",
        sanitize=False,
    )

    # What closing the ticket is expected to charge (support_charge_preview),
    # for the agent on the form and for the customer (new-ticket email,
    # portal): computed for one ticket at a time, never stored.
    support_charge_preview_state = fields.Selection(
        selection=[
            ("none", "Nothing"),
            ("charged", "Points used"),
            ("free", "Free"),
            ("credited", "Points credited"),
            ("fee", "Fee invoiced"),
        ],
        string="Expected charge",
        compute="_compute_support_charge_preview",
    )
    support_charge_preview_message = fields.Char(
        string="Expected charge on closing",
        compute="_compute_support_charge_preview",
    )
    support_charge_customer_message = fields.Char(
        string="Expected charge, for the customer",
        compute="_compute_support_charge_preview",
    )

    @api.depends("company_id")
    def _compute_support_points_pack_ids(self):
        packs = self.env["product.product"].search(
            [("support_points", ">", 0), ("sale_ok", "=", True)],
            order="support_points",
        )
        for ticket in self:
            ticket.support_points_pack_ids = packs.filtered(
                lambda p, t=ticket: not p.company_id or p.company_id == t.company_id
            )

    @api.depends("commercial_partner_id", "company_id", "support_charge_state")
    def _compute_support_points_balance(self):
        """The balance of each ticket's customer in the ticket's company,
        through ``res.partner.support_points_balances``: one query per
        company for a whole page of tickets."""
        balances = {}
        for company, tickets in self.grouped("company_id").items():
            if not company:
                continue
            # sudo: the balance of the ticket's customer, the figure the
            # customer's own support_points_balance field shows to whoever
            # may read the customer; the ledger lines stay protected
            partners = tickets.commercial_partner_id._origin.sudo()
            for partner_id, balance in partners.support_points_balances(
                company
            ).items():
                balances[partner_id, company.id] = balance
        for ticket in self:
            partner = ticket.commercial_partner_id._origin
            company = ticket.company_id
            balance = balances.get((partner.id, company.id), 0)
            ticket.support_points_balance = balance
            ticket.support_points_low = bool(
                partner and company and balance <= company.support_points_low_threshold
            )

    @api.depends_context("lang")
    @api.depends(
        "support_charge_state",
        "support_points_charged",
        "support_points_balance",
        "support_points_low",
        "support_points_pack_ids",
        "support_fee_line_id.price_total",
        "support_fee_line_id.currency_id",
    )
    def _compute_support_points_mail_note(self):
        qweb = self.env["ir.qweb"]
        values = {
            "format_amount": lambda amount, currency: tools.format_amount(
                self.env, amount, currency
            ),
        }
        for ticket in self:
            ticket.support_points_mail_note = qweb._render(
                "support_points.closing_points_note",
                dict(values, object=ticket),
            )

    @api.depends_context("lang")
    @api.depends(
        "stage_id",
        "team_id",
        "company_id",
        "partner_id",
        "commercial_partner_id",
        "channel_id",
        "category_id",
        "priority",
        "support_vendor_fault",
        "support_charge_state",
        "support_points_balance",
    )
    def _compute_support_charge_preview(self):
        for ticket in self:
            # an open ticket: its closing in any stage that charges, the
            # rules reading it as it is now (support_charge_preview() finds
            # the very stage; the form spares that query on every opening)
            stage = ticket.stage_id if ticket.stage_id.closed else None
            # sudo: the preview reads the charge rules and the customer's
            # balance as the charge does; it writes nothing, and shows only
            # figures the ticket's reader sees anyway (the customer's
            # balance field, the rule's name, the fee of the shipped product)
            preview = ticket.sudo()._support_charge_preview(stage)
            ticket.support_charge_preview_state = preview["charge_state"]
            ticket.support_charge_preview_message = preview["message"]
            ticket.support_charge_customer_message = preview["customer_message"]

    # ------------------------------------------------------------------
    # CRUD: the charge fields belong to the charge
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # a new ticket is never charged yet: ignore what the caller says
            for vals in vals_list:
                for name in CHARGE_FIELDS:
                    vals.pop(name, None)
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_support_charged(self):
        """A charged ticket stays: its charge is on the customer's history."""
        charged = self.filtered(
            lambda t: t.support_charge_state in ("charged", "credited", "fee")
        )
        if charged:
            raise UserError(
                _(
                    "Ticket(s) %(tickets)s were charged when they closed: the "
                    "points ledger or an invoice keeps their charge. Archive "
                    "the ticket(s) instead (and refund the charge first if it "
                    "should not count).",
                    tickets=", ".join(charged.mapped("display_name")),
                )
            )

    def write(self, vals):
        if not self.env.su:
            forbidden = [name for name in CHARGE_FIELDS if name in vals]
            if forbidden:
                raise AccessError(
                    _(
                        "The charge of tickets %(tickets)s is set when they "
                        "close and cannot be changed by hand (%(fields)s).",
                        tickets=", ".join(self.mapped("display_name")),
                        fields=", ".join(
                            self._fields[name].string for name in forbidden
                        ),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_support_charge(self):
        """Charge closed tickets according to the charge rules.

        Public and idempotent: a ticket is charged (or credited, or found
        free) once; calling it again, or closing the ticket again after a
        reopening, changes nothing.  Open tickets, tickets without a customer
        and tickets closed in a no-charge stage (cancelled, rejected) are left
        alone.  Called by the automation
        ``support_points.automation_ticket_close_charge``.  The caller must
        be allowed to change the tickets (agents, or the automation).
        """
        self.check_access("write")
        for ticket in self:
            ticket._support_charge()
        return True

    def support_charge_preview(self, stage_id=None):
        """What closing this ticket is expected to charge, as the charge
        itself decides it (``_support_charge_decide``): closing the ticket
        unchanged charges exactly this.

        Public (also over RPC), on one ticket the caller may read.
        ``stage_id``: the closing stage (default: the ticket's stage if it is
        closed, else the first closing stage of its team that charges).

        Returns a dict:

        - ``rule_id``: the charge rule that decides (False if none),
        - ``points``: points the closing takes (positive) or credits back
          (negative); 0 when it moves none,
        - ``balance_after``: the customer's balance after the closing,
        - ``fee_amount``: the fee invoiced (taxes included), 0.0 if none,
        - ``currency``: ISO code of the fee's currency (of the company when
          there is no fee),
        - ``message``: one sentence for the agent,
        - ``charge_state``: the ticket's charge state after the closing
          (``none``, ``free``, ``charged``, ``credited``, ``fee``),
        - ``stage_id``: the closing stage the preview is for (False if the
          ticket's team has no closing stage that charges).
        """
        if len(self) != 1:
            raise UserError(
                _(
                    "The expected charge is computed for one ticket at a time, "
                    "not %(count)s: call support_charge_preview on each ticket.",
                    count=len(self),
                )
            )
        self.check_access("read")
        if stage_id:
            stage = self.env["helpdesk.ticket.stage"].browse(stage_id).exists()
            if not stage:
                raise UserError(
                    _(
                        "Ticket %(ticket)s: stage %(stage)s does not exist.",
                        ticket=self.display_name,
                        stage=stage_id,
                    )
                )
        else:
            stage = self._support_closing_stage()
        # sudo: the caller may read the ticket (checked above); the preview
        # reads the rules and the balance as the charge does, writes nothing
        preview = self.sudo()._support_charge_preview(stage)
        preview.pop("customer_message")
        currency = preview["currency"] or self.sudo().company_id.currency_id
        preview["currency"] = currency.name
        return preview

    def action_view_support_points(self):
        self.ensure_one()
        return self.commercial_partner_id.action_view_support_points()

    def action_support_refund(self):
        """Reverse a ticket's charge (support points managers only)."""
        if not (
            self.env.is_superuser()
            or self.env.user.has_group("support_points.group_support_points_manager")
        ):
            raise AccessError(
                _("Only a support points manager can refund a ticket's charge.")
            )
        for ticket in self:
            ticket._support_refund()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _support_closing_stage(self):
        """The stage the preview closes the ticket in: its own stage when it
        is closed, else the first closing stage of its team that charges."""
        self.ensure_one()
        if self.stage_id.closed:
            return self.stage_id
        stages = self.team_id._get_applicable_stages()
        return stages.filtered(lambda s: s.closed and not s.support_no_charge)[:1]

    def _support_charge_preview(self, stage):
        """``support_charge_preview`` for ``stage`` (empty: the team has no
        closing stage that charges; None: any closing stage that charges,
        as ``_support_charge_decide`` takes it), and the customer's sentence
        (``customer_message``); ``currency`` is the fee's currency record
        (empty without a fee).  Called on ``sudo()``."""
        self.ensure_one()
        if stage is None or stage:
            decision = self._support_charge_decide(stage, self._support_read_balance)
        else:
            decision = {
                "state": "none",
                "reason": "no_stage",
                "error": False,
                "rule": self.env["support.charge.rule"],
                "points": 0,
                "expired": 0,
                "balance_after": None,
            }
        balance_after = decision["balance_after"]
        if balance_after is None:
            balance_after = self.support_points_balance
        fee_amount, currency = 0.0, self.env["res.currency"]
        if decision["state"] == "fee":
            fee_amount, currency = self._support_fee_preview(decision["rule"])
        decision = dict(
            decision, balance_after=balance_after, fee=fee_amount, currency=currency
        )
        return {
            "rule_id": decision["rule"].id or False,
            "points": decision["points"],
            "balance_after": balance_after,
            "fee_amount": fee_amount,
            "currency": currency,
            "message": self._support_preview_message(decision, stage),
            "charge_state": decision["state"],
            "stage_id": stage.id if stage else False,
            "customer_message": self._support_customer_message(decision),
        }

    def _support_format_amount(self, amount, currency):
        return tools.format_amount(self.env, amount, currency)

    def _support_preview_message(self, decision, stage):
        """The agent's sentence for a charge decision."""
        state, reason = decision["state"], decision["reason"]
        points, balance = abs(decision["points"]), decision["balance_after"]
        rule = decision["rule"].name
        if state == "free":
            return _("Closing is free (rule: %(rule)s).", rule=rule)
        if state == "credited":
            if points == 1:
                return _(
                    "Closing will credit 1 point back (%(rule)s): %(balance)s "
                    "after today.",
                    rule=rule,
                    balance=balance,
                )
            return _(
                "Closing will credit %(points)s points back (%(rule)s): "
                "%(balance)s after today.",
                points=points,
                rule=rule,
                balance=balance,
            )
        if state == "charged":
            if balance < 0:
                if points == 1:
                    return _(
                        "Closing will use 1 point: the balance goes to "
                        "%(balance)s (overdraft).",
                        balance=balance,
                    )
                return _(
                    "Closing will use %(points)s points: the balance goes to "
                    "%(balance)s (overdraft).",
                    points=points,
                    balance=balance,
                )
            if points == 1:
                return _(
                    "Closing will use 1 point: %(balance)s left after today.",
                    balance=balance,
                )
            return _(
                "Closing will use %(points)s points: %(balance)s left after today.",
                points=points,
                balance=balance,
            )
        if state == "fee":
            amount = self._support_format_amount(decision["fee"], decision["currency"])
            if balance <= 0:
                return _(
                    "Closing will invoice a fee of %(amount)s: the points bank "
                    "is empty.",
                    amount=amount,
                )
            return _(
                "Closing will invoice a fee of %(amount)s: the customer has "
                "%(balance)s, the rule needs %(points)s.",
                amount=amount,
                balance=balance,
                points=decision["rule"].points,
            )
        if reason == "no_charge_stage":
            return _(
                "Closing in %(stage)s is free: that stage never charges.",
                stage=stage.name,
            )
        if reason == "no_customer":
            return _("Closing is free: the ticket has no customer.")
        if reason == "done":
            states = dict(
                self._fields["support_charge_state"]._description_selection(self.env)
            )
            return _(
                "Charged when it closed (%(charge)s): closing again charges nothing.",
                charge=states.get(self.support_charge_state, ""),
            )
        if reason == "broken_rule":
            return _(
                "Closing will charge nothing yet: %(error)s", error=decision["error"]
            )
        if reason == "no_rule":
            return _("Closing is free: no charge rule applies.")
        if reason == "open":
            return _(
                "%(stage)s is not a closing stage: moving there charges nothing.",
                stage=stage.name,
            )
        return _("No closing stage of this ticket's team charges it.")

    def _support_customer_message(self, decision):
        """The customer's sentence: what the request is expected to cost
        under the current rules and balance (or what it cost, once charged);
        empty when there is nothing to tell the customer."""
        state, reason = decision["state"], decision["reason"]
        if reason == "done":
            return self._support_customer_charged_message()
        points, balance_after = abs(decision["points"]), decision["balance_after"]
        if state == "free" or reason == "no_rule":
            if self.channel_id:
                return _(
                    "This request, received by %(channel)s, is free of charge.",
                    channel=self.channel_id.name,
                )
            return _("This request is free of charge.")
        if state == "credited":
            if points == 1:
                return _(
                    "The problem was caused by us: resolving it credits 1 "
                    "support point to your account.",
                )
            return _(
                "The problem was caused by us: resolving it credits "
                "%(points)s support points to your account.",
                points=points,
            )
        if state == "charged":
            balance = balance_after + points
            if balance_after < 0:
                if points == 1:
                    return _(
                        "Resolving this request uses 1 support point; you have "
                        "%(balance)s, so your balance will be %(after)s.",
                        balance=balance,
                        after=balance_after,
                    )
                return _(
                    "Resolving this request uses %(points)s support points; you "
                    "have %(balance)s, so your balance will be %(after)s.",
                    points=points,
                    balance=balance,
                    after=balance_after,
                )
            if points == 1:
                return _(
                    "Resolving this request uses 1 support point; you have "
                    "%(balance)s.",
                    balance=balance,
                )
            return _(
                "Resolving this request uses %(points)s support points; you "
                "have %(balance)s.",
                points=points,
                balance=balance,
            )
        if state == "fee":
            return _(
                "Your support points do not cover this request: resolving it "
                "will be invoiced %(amount)s.",
                amount=self._support_format_amount(
                    decision["fee"], decision["currency"]
                ),
            )
        return ""

    def _support_customer_charged_message(self):
        """The customer's sentence for a ticket already charged."""
        state, points = self.support_charge_state, abs(self.support_points_charged)
        if self.support_points_refunded:
            return _("The charge of this request was refunded.")
        if state == "free":
            return _("This request was free of charge.")
        if state == "charged":
            if points == 1:
                return _("This request used 1 support point.")
            return _("This request used %(points)s support points.", points=points)
        if state == "credited":
            if points == 1:
                return _(
                    "The problem was caused by us: we credited 1 support point "
                    "to your account."
                )
            return _(
                "The problem was caused by us: we credited %(points)s support "
                "points to your account.",
                points=points,
            )
        if state == "fee" and self.support_fee_line_id:
            line = self.support_fee_line_id
            return _(
                "A fee of %(amount)s was invoiced for this request.",
                amount=self._support_format_amount(line.price_total, line.currency_id),
            )
        return ""

    def _support_charge(self):
        self.ensure_one()
        if (
            not self.stage_id.closed
            or self.stage_id.support_no_charge
            or not self.commercial_partner_id
            or self.support_charge_state != "none"
        ):
            return False
        # sudo: the charge follows the company's rules, not the rights of the
        # agent closing the ticket, who may read but not write the ledger
        ticket = self.sudo()
        decision = ticket._support_charge_decide(
            self.stage_id, ticket._support_lock_balance
        )
        if decision["reason"] == "broken_rule":
            # fail safe: a broken rule charges nothing (the next rule must not
            # charge instead); the ticket stays to charge, closing still works,
            # and action_support_charge charges it once the rule is fixed
            ticket._message_log(
                body=_(
                    "This ticket was not charged: %(error)s Then a support "
                    "points manager charges it with the Charge button.",
                    error=decision["error"],
                )
            )
            return False
        state = decision["state"]
        if state == "none":
            return False
        rule = decision["rule"]
        vals = {
            "support_charge_rule_id": rule.id,
            "support_points_charged": decision["points"],
            "support_charge_state": state,
        }
        if state == "free":
            # A free closing (email, web...) moves no points: it neither takes
            # nor waits for the customer's balance lock, so it never queues
            # behind an agent charging the same customer.  Two transactions
            # closing this very ticket both update its row: the second one
            # gets a serialization failure and is retried, and then sees it
            # charged.
            # The closing email states the balance, which this closing does
            # not change: the email reads it when it renders, in the one
            # query of _compute_support_points_balance.
            ticket.write(vals)
            return True
        partner = ticket.commercial_partner_id
        company = ticket.company_id
        moves = ticket.env["support.points.move"].with_company(company)
        # still under the lock _support_lock_balance took: the balance moves
        # only by the lines written here
        if state == "credited":
            moves.create(
                ticket._prepare_support_move_vals(-decision["points"], "adjust")
            )
        else:
            if decision["expired"]:
                moves._expire_partner_points(
                    partner, company, locked=True, points=decision["expired"]
                )
            if state == "charged":
                moves.create(
                    ticket._prepare_support_move_vals(-decision["points"], "consume")
                )
            else:
                line = ticket._support_add_fee_line(rule)
                vals["support_fee_line_id"] = line.id
        # the ticket's one write of the charge: base_automation's write hook
        # runs once for it, and finds the charge automation done
        ticket.write(vals)
        if state in ("charged", "fee"):
            ticket._support_notify_low_balance(decision["balance_after"])
        return True

    def _support_lock_balance(self):
        """For the charge: ``(balance, expired, charge state)`` read in the
        statement that locks the customer's balance row."""
        self.ensure_one()
        # Losing the race for the lock below aborts the transaction (Odoo
        # retries the request on that serialization failure). base_automation
        # reports an error of its action by reading the caller's groups: read
        # them now, while the transaction is sound, or that report's query
        # would fail in the aborted transaction and hide the failure Odoo
        # must see to retry.
        self.env.user.has_group("base.group_user")
        # one statement: the balance row lock, the balance, the points past
        # their date and the ticket's charge state as the lock protects it
        return self.env["support.points.move"]._lock_balance(
            self.commercial_partner_id, self.company_id, ticket=self
        )

    def _support_read_balance(self):
        """For the preview: ``(balance, expired, charge state)`` as
        ``_support_lock_balance`` returns them, read without the lock (and
        from the form's unsaved values, on a ticket being edited)."""
        self.ensure_one()
        partner = self.commercial_partner_id._origin
        company = self.company_id
        today = fields.Date.context_today(self)
        # called on sudo() tickets by the preview: the customer's own unused
        # points past their date, an aggregate the closing would remove
        [(expired,)] = self.env["support.points.move"]._read_group(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("remaining", ">", 0),
                ("expiry_date", "<", today),
            ],
            aggregates=["remaining:sum"],
        )
        return self.support_points_balance, expired or 0, self.support_charge_state

    def _support_charge_decide(self, stage, read_balance):
        """What closing this ticket in ``stage`` charges: the one decision
        both the charge (which applies it) and its preview (which shows it)
        take.  Called on ``sudo()`` tickets only (the company's rules apply,
        whoever closes or previews).  ``stage`` None (the form's preview of
        an open ticket): any closing stage that charges, the rules reading
        the ticket as it is now.

        ``read_balance()`` returns ``(balance, expired, charge state)`` of the
        ticket's customer: ``_support_lock_balance`` for the charge (under the
        balance lock), ``_support_read_balance`` for the preview.  It is only
        called when the charge moves points: a free closing takes no lock.

        Returns a dict:

        - ``state``: the ticket's charge state after the closing (``none``
          when the closing charges nothing),
        - ``reason`` (when ``state`` is ``none``): ``open`` (not a closing
          stage), ``no_charge_stage``, ``no_customer``, ``done`` (already
          charged), ``broken_rule`` (``error`` says why) or ``no_rule``,
        - ``rule``: the charge rule deciding,
        - ``points``: points taken (positive) or credited (negative),
        - ``expired``: unused points past their date the closing removes,
        - ``balance_after``: the customer's balance after the closing, or
          None when the closing does not read it (nothing moves).
        """
        self.ensure_one()
        decision = {
            "state": "none",
            "reason": False,
            "error": False,
            "rule": self.env["support.charge.rule"],
            "points": 0,
            "expired": 0,
            "balance_after": None,
        }
        if stage is not None and not stage.closed:
            return dict(decision, reason="open")
        if stage is not None and stage.support_no_charge:
            return dict(decision, reason="no_charge_stage")
        if not self.commercial_partner_id:
            return dict(decision, reason="no_customer")
        if self.support_charge_state != "none":
            return dict(decision, reason="done")
        try:
            # the rules read the ticket only, never the ledger: found before
            # the lock, on the ticket as it is in the closing stage
            rule = self.env["support.charge.rule"]._find_for_ticket(
                self._support_in_stage(stage)
            )
        except ValidationError as error:
            return dict(decision, reason="broken_rule", error=error.args[0])
        if not rule:
            return dict(decision, reason="no_rule")
        decision["rule"] = rule
        if rule.points == 0:
            return dict(decision, state="free")
        balance, expired, state = read_balance()
        if state != "none":
            return dict(decision, rule=self.env["support.charge.rule"], reason="done")
        if rule.points < 0:
            # a credit removes no expired points: the expiry cron does
            return dict(
                decision,
                state="credited",
                points=rule.points,
                balance_after=balance - rule.points,
            )
        balance -= expired
        if (
            balance >= rule.points
            or self.company_id.support_points_empty_policy == "overdraft"
            or not rule.fee_product_id
        ):
            return dict(
                decision,
                state="charged",
                points=rule.points,
                expired=expired,
                balance_after=balance - rule.points,
            )
        return dict(decision, state="fee", expired=expired, balance_after=balance)

    def _support_in_stage(self, stage):
        """The ticket as the charge rules see it once closed in ``stage``:
        itself when it is there (or ``stage`` is None), else a copy in memory
        in that stage."""
        self.ensure_one()
        if stage is None or self.stage_id == stage or not isinstance(self.id, int):
            return self
        return self.new({"stage_id": stage.id}, origin=self)

    def _prepare_support_move_vals(self, points, kind):
        self.ensure_one()
        if kind == "consume":
            note = _("Ticket %(ticket)s closed", ticket=self.display_name)
        elif kind == "adjust":
            note = _(
                "Ticket %(ticket)s: caused by us, point credited",
                ticket=self.display_name,
            )
        elif kind == "refund":
            note = _("Ticket %(ticket)s: charge refunded", ticket=self.display_name)
        else:
            raise ValueError(f"Unknown support points move kind: {kind!r}")
        return {
            "partner_id": self.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "points": points,
            "kind": kind,
            "ticket_id": self.id,
            "note": note,
        }

    def _support_fee_invoice(self):
        """The customer's open draft invoice the fee goes on (one per
        customer and company), if there is one."""
        self.ensure_one()
        # called on sudo() tickets by the charge and its preview only
        return (
            self.env["account.move"]
            .with_company(self.company_id)
            .search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "draft"),
                    ("commercial_partner_id", "=", self.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="id",
                limit=1,
            )
        )

    def _prepare_support_fee_invoice_vals(self):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.commercial_partner_id.id,
            "company_id": self.company_id.id,
        }

    def _prepare_support_fee_line_vals(self, rule):
        self.ensure_one()
        return {
            "product_id": rule.fee_product_id.id,
            "quantity": 1,
            "name": _(
                "Support incident fee: ticket %(ticket)s",
                ticket=self.display_name,
            ),
        }

    def _support_add_fee_line(self, rule):
        """Add the fee to the customer's open draft invoice (one per customer)."""
        self.ensure_one()
        invoice = self._support_fee_invoice()
        if not invoice:
            # sudo: called from _support_charge only, which applies the
            # company's charge rule; the agent closing the ticket need not be
            # an invoicing user, and only the customer's own draft invoice
            # gets the fee line
            invoice = (
                self.env["account.move"]
                .sudo()
                .with_company(self.company_id)
                .create(self._prepare_support_fee_invoice_vals())
            )
        before = invoice.invoice_line_ids
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create(self._prepare_support_fee_line_vals(rule))
                ]
            }
        )
        return invoice.invoice_line_ids - before

    def _support_fee_preview(self, rule):
        """``(amount, currency)`` of the fee line ``_support_add_fee_line``
        would add now: the same line, computed in memory by the invoicing
        code (price, taxes, fiscal position, currency of the invoice it
        would go on), never saved.  Called on ``sudo()`` by the preview."""
        self.ensure_one()
        invoice = self._support_fee_invoice()
        line_vals = self._prepare_support_fee_line_vals(rule)
        if invoice:
            line = invoice.invoice_line_ids.new(dict(line_vals, move_id=invoice.id))
        else:
            draft = (
                self.env["account.move"]
                .with_company(self.company_id)
                .new(
                    dict(
                        self._prepare_support_fee_invoice_vals(),
                        invoice_line_ids=[Command.create(line_vals)],
                    )
                )
            )
            line = draft.invoice_line_ids
        return line.price_total, line.currency_id

    def _support_refund(self):
        """Reverse the charge on the account that was charged.

        The customer and company of the refund are those of the ticket's
        charge line on the ledger, not the ticket's current ones: its
        customer, its contact's company or its company may have changed
        since.  Called by ``action_support_refund`` once the caller's right
        to refund was checked.
        """
        self.ensure_one()
        if self.support_points_refunded:
            raise UserError(
                _(
                    "The charge of ticket %(ticket)s was already refunded.",
                    ticket=self.display_name,
                )
            )
        # sudo: the caller's right to refund was checked by
        # action_support_refund; the charge line and the fee's invoice are
        # read to refund exactly what was charged, to whom it was charged
        ticket = self.sudo()
        if self.support_charge_state == "charged":
            charge = ticket.env["support.points.move"].search(
                [("ticket_id", "=", self.id), ("kind", "=", "consume")], limit=1
            )
            if not charge:
                raise UserError(
                    _(
                        "Ticket %(ticket)s has no charge line on the points "
                        "ledger to refund; record an adjustment for the "
                        "customer instead.",
                        ticket=self.display_name,
                    )
                )
            vals = self._prepare_support_move_vals(-charge.points, "refund")
            vals.update(
                partner_id=charge.partner_id.id, company_id=charge.company_id.id
            )
            self.env["support.points.move"].create(vals)
            ticket.write({"support_points_refunded": True})
        elif self.support_charge_state == "fee":
            line = ticket.support_fee_line_id
            if line and line.move_id.state != "draft":
                raise UserError(
                    _(
                        "The fee of ticket %(ticket)s is on the posted invoice "
                        "%(invoice)s: issue a credit note instead.",
                        ticket=self.display_name,
                        invoice=line.move_id.display_name,
                    )
                )
            # refunded first: the fee line's guard then lets the line go
            ticket.write({"support_points_refunded": True})
            if line:
                line.move_id.write({"invoice_line_ids": [Command.unlink(line.id)]})
        else:
            raise UserError(
                _(
                    "Ticket %(ticket)s has no charge to refund.",
                    ticket=self.display_name,
                )
            )

    def _support_notify_low_balance(self, balance):
        """Ask the salesperson to offer a pack when the balance runs low.

        ``balance``: the customer's balance after the charge.
        """
        self.ensure_one()
        company = self.company_id
        partner = self.commercial_partner_id.with_company(company)
        salesperson = partner.user_id
        if not salesperson or balance > company.support_points_low_threshold:
            return
        activity_type = self.env.ref(
            "support_points.mail_activity_type_offer_pack", raise_if_not_found=False
        )
        if not activity_type:
            return
        # sudo: an agent closing the ticket may not write on the customer,
        # the activity only informs its salesperson
        partner = partner.sudo()
        if partner.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        partner.activity_schedule(
            activity_type_id=activity_type.id,
            user_id=salesperson.id,
            note=_(
                "%(customer)s has %(points)s support points left after ticket "
                "%(ticket)s: offer a points pack.",
                customer=partner.display_name,
                points=balance,
                ticket=self.display_name,
            ),
        )
