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
        # the rules read the ticket only, never the ledger: found before the lock
        try:
            rule = self.env["support.charge.rule"].sudo()._find_for_ticket(ticket)
        except ValidationError as error:
            # fail safe: a broken rule charges nothing (the next rule must not
            # charge instead); the ticket stays to charge, closing still works,
            # and action_support_charge charges it once the rule is fixed
            ticket._message_log(
                body=_(
                    "This ticket was not charged: %(error)s Then a support "
                    "points manager charges it with the Charge button.",
                    error=error.args[0],
                )
            )
            return False
        if not rule:
            return False
        vals = {"support_charge_rule_id": rule.id, "support_points_charged": 0}
        if rule.points == 0:
            # A free closing (email, web...) moves no points: it neither takes
            # nor waits for the customer's balance lock, so it never queues
            # behind an agent charging the same customer.  Two transactions
            # closing this very ticket both update its row: the second one
            # gets a serialization failure and is retried, and then sees it
            # charged.
            # The closing email states the balance, which this closing does
            # not change: the email reads it when it renders, in the one
            # query of _compute_support_points_balance.
            ticket.write(dict(vals, support_charge_state="free"))
            return True
        partner = ticket.commercial_partner_id
        company = ticket.company_id
        moves = ticket.env["support.points.move"].with_company(company)
        # Losing the race for the lock below aborts the transaction (Odoo
        # retries the request on that serialization failure). base_automation
        # reports an error of its action by reading the caller's groups: read
        # them now, while the transaction is sound, or that report's query
        # would fail in the aborted transaction and hide the failure Odoo
        # must see to retry.
        self.env.user.has_group("base.group_user")
        # one statement: the balance row lock, the balance, the points past
        # their date and the ticket's charge state as the lock protects it
        balance, expired, state = moves._lock_balance(partner, company, ticket=ticket)
        if state != "none":
            return False
        if rule.points < 0:
            moves.create(ticket._prepare_support_move_vals(-rule.points, "adjust"))
            balance -= rule.points
            vals.update(
                support_charge_state="credited", support_points_charged=rule.points
            )
        else:
            # still under the lock taken above: the balance moves only by the
            # expiry line written here
            if expired:
                moves._expire_partner_points(
                    partner, company, locked=True, points=expired
                )
                balance -= expired
            if (
                balance >= rule.points
                or company.support_points_empty_policy == "overdraft"
                or not rule.fee_product_id
            ):
                moves.create(ticket._prepare_support_move_vals(-rule.points, "consume"))
                balance -= rule.points
                vals.update(
                    support_charge_state="charged", support_points_charged=rule.points
                )
            else:
                line = ticket._support_add_fee_line(rule)
                vals.update(support_charge_state="fee", support_fee_line_id=line.id)
        # the ticket's one write of the charge: base_automation's write hook
        # runs once for it, and finds the charge automation done
        ticket.write(vals)
        if vals["support_charge_state"] in ("charged", "fee"):
            ticket._support_notify_low_balance(balance)
        return True

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

    def _support_add_fee_line(self, rule):
        """Add the fee to the customer's open draft invoice (one per customer)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        # sudo: called from _support_charge only, which applies the company's
        # charge rule; the agent closing the ticket need not be an invoicing
        # user, and only the customer's own draft invoice gets the fee line
        invoices = self.env["account.move"].sudo().with_company(self.company_id)
        invoice = invoices.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "draft"),
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", self.company_id.id),
            ],
            order="id",
            limit=1,
        )
        if not invoice:
            invoice = invoices.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                }
            )
        before = invoice.invoice_line_ids
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": rule.fee_product_id.id,
                            "quantity": 1,
                            "name": _(
                                "Support incident fee: ticket %(ticket)s",
                                ticket=self.display_name,
                            ),
                        }
                    )
                ]
            }
        )
        return invoice.invoice_line_ids - before

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
