# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

STATES = [
    ("draft", "Draft"),
    ("sent", "Waiting for acceptance"),
    ("accepted", "Accepted"),
    ("reauth", "Re-authorization needed"),
    ("done", "Invoiced"),
    ("cancel", "Cancelled"),
]


def format_hours(hours):
    """1.25 -> '1:15' (hours:minutes), the way the timesheets show time."""
    minutes = int(round(hours * 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


class SupportWorkAuthorization(models.Model):
    _name = "support.work.authorization"
    _description = "Work authorization"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(readonly=True, copy=False, default="/")
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        index=True,
        help="The ticket customer's company.",
    )
    contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Sent to",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        ondelete="restrict",
        help="The authorized person who accepts the quotation in the portal.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="ticket_id.company_id",
        store=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        selection=STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(
        comodel_name="support.work.authorization.line",
        inverse_name="authorization_id",
        string="Estimate",
        copy=True,
    )
    order_ids = fields.One2many(
        comodel_name="sale.order",
        inverse_name="work_auth_id",
        string="Quotations",
        readonly=True,
    )
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Current quotation",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    accepted_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Accepted quotation",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    visit_ids = fields.One2many(
        comodel_name="support.work.visit",
        related="ticket_id.work_auth_visit_ids",
    )
    pay_in_points = fields.Boolean(
        string="Pay in points",
        help="The customer pays the estimate with service points: the "
        "quotation is at no charge and the points are used on acceptance.",
    )
    points_cost = fields.Integer(string="Points")
    points_used = fields.Integer(readonly=True, copy=False)
    accepted_on = fields.Datetime(readonly=True, copy=False)
    accepted_by_id = fields.Many2one(
        comodel_name="res.partner",
        string="Accepted by",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    estimate_hours = fields.Float(compute="_compute_estimate_hours")
    accepted_hours = fields.Float(compute="_compute_estimate_hours")
    # every technician's time counts, whoever reads: stored totals of the
    # ticket's time, like helpdesk_mgmt_timesheet's total_hours on tickets
    actual_hours = fields.Float(
        string="Billable hours logged",
        compute="_compute_work_breakdown",
        store=True,
    )
    work_breakdown = fields.Json(
        compute="_compute_work_breakdown",
        store=True,
        help="Per time type: estimate, accepted, actual, no charge, visits; "
        "and the billable hours per product.",
    )
    amount_estimate = fields.Monetary(
        string="Estimated amount", compute="_compute_amount_estimate"
    )
    absorb_reason = fields.Char(
        string="Reason to absorb the overrun",
        help="Why the company absorbs the time beyond the accepted estimate; "
        "it is the note of the points returned to the customer.",
    )
    absorbed_points = fields.Integer(readonly=True, copy=False)
    breakdown_html = fields.Html(
        string="Estimate against actual",
        compute="_compute_breakdown_html",
        sanitize=False,
    )

    @api.depends("ticket_id.partner_id")
    def _compute_partner_id(self):
        for authorization in self:
            partner = authorization.ticket_id.partner_id
            authorization.partner_id = partner.commercial_partner_id

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for authorization in self:
            contacts = (
                authorization.partner_id._work_auth_contacts()
                if authorization.partner_id
                else self.env["res.partner"]
            )
            if authorization.contact_id not in contacts:
                authorization.contact_id = contacts[:1]

    @api.depends(
        "line_ids.quantity", "line_ids.accepted_quantity", "line_ids.time_type_id"
    )
    def _compute_estimate_hours(self):
        for authorization in self:
            time_lines = authorization.line_ids.filtered("time_type_id")
            authorization.estimate_hours = sum(time_lines.mapped("quantity"))
            authorization.accepted_hours = sum(time_lines.mapped("accepted_quantity"))

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_estimate(self):
        for authorization in self:
            authorization.amount_estimate = sum(
                authorization.line_ids.mapped("price_subtotal")
            )

    @api.depends(
        "line_ids.quantity",
        "line_ids.accepted_quantity",
        "line_ids.time_type_id",
        "contact_id.tz",
        "ticket_id.timesheet_ids.unit_amount",
        "ticket_id.timesheet_ids.time_type_id",
        "ticket_id.timesheet_ids.work_auth_no_charge",
        "ticket_id.work_auth_visit_ids.arrived_at",
        "ticket_id.work_auth_visit_ids.left_at",
    )
    def _compute_work_breakdown(self):
        for authorization in self:
            breakdown = authorization._breakdown()
            authorization.work_breakdown = breakdown
            authorization.actual_hours = sum(breakdown["billable_by_product"].values())

    def _compute_breakdown_html(self):
        for authorization in self:
            authorization.breakdown_html = self.env["ir.qweb"]._render(
                "support_work_authorization.work_auth_breakdown",
                {"authorization": authorization},
            )

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("support.work.authorization")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send(self):
        """Turn the estimate into a quotation to sign and mail it to the
        authorized contact; a revision replaces the pending quotation."""
        for authorization in self:
            authorization._check_can_send()
            pending = authorization.order_ids.filtered(
                lambda order: order.state in ("draft", "sent")
            )
            if pending:
                pending.with_context(disable_cancel_warning=True).action_cancel()
            order = self.env["sale.order"].create(authorization._prepare_order_vals())
            template = self.env.ref(
                "support_work_authorization.mail_template_work_authorization"
            )
            order.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            order.action_quotation_sent()
            revision = authorization.state in ("accepted", "reauth")
            authorization.write(
                {"order_id": order.id, "state": "reauth" if revision else "sent"}
            )
            if revision:
                authorization.ticket_id._work_auth_enter_reauthorization()
            authorization.ticket_id.message_post(
                body=_(
                    "Work authorization %(name)s sent to %(contact)s for "
                    "acceptance: %(hours)s h estimated.",
                    name=authorization.name,
                    contact=authorization.contact_id.name,
                    hours=format_hours(authorization.estimate_hours),
                ),
            )
        return True

    def action_view_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": (self.order_id or self.accepted_order_id).id,
            "view_mode": "form",
        }

    def action_cancel(self):
        for authorization in self:
            if authorization.state == "done":
                raise UserError(
                    _(
                        "%(name)s is invoiced already: cancel its invoice instead.",
                        name=authorization.name,
                    )
                )
            pending = authorization.order_ids.filtered(
                lambda order: order.state in ("draft", "sent")
            )
            pending.with_context(disable_cancel_warning=True).action_cancel()
        self.write({"state": "cancel"})
        return True

    def action_invoice(self):
        """Invoice the actual time per time type on the accepted quotation,
        with the estimate against actual and each visit's times as notes."""
        self.ensure_one()
        if self.state == "reauth":
            raise UserError(
                _(
                    "%(name)s waits for %(contact)s to accept the revised "
                    "authorization: no more time is billed before that.",
                    name=self.name,
                    contact=self.contact_id.name,
                )
            )
        if self.state != "accepted" or not self.accepted_order_id:
            raise UserError(
                _(
                    "%(name)s is not accepted: only accepted work is invoiced.",
                    name=self.name,
                )
            )
        order = self.accepted_order_id
        self._set_delivered_quantities(order)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        before = order.invoice_ids
        wizard.create_invoices()
        invoice = order.invoice_ids - before
        if not invoice:
            raise UserError(_("%(name)s has nothing to invoice.", name=self.name))
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create(vals) for vals in self._prepare_invoice_notes()
                ]
            }
        )
        self.state = "done"
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice[:1].id,
            "view_mode": "form",
        }

    def action_absorb_overrun(self):
        """Return the overrun the company absorbs as service points: an
        adjustment line of the customer's points ledger, with the reason."""
        self.ensure_one()
        if self.absorbed_points:
            raise UserError(
                _(
                    "The overrun of %(name)s was absorbed already (%(points)s points).",
                    name=self.name,
                    points=self.absorbed_points,
                )
            )
        overrun = self._overrun_hours()
        if overrun <= 0:
            raise UserError(
                _(
                    "%(name)s has no overrun to absorb: %(actual)s h logged "
                    "for %(accepted)s h accepted.",
                    name=self.name,
                    actual=format_hours(self.actual_hours),
                    accepted=format_hours(self.accepted_hours),
                )
            )
        if not (self.absorb_reason or "").strip():
            raise UserError(
                _(
                    "Say why the company absorbs the overrun of %(name)s: the "
                    "reason goes on the customer's points ledger.",
                    name=self.name,
                )
            )
        points = math.ceil(
            float_round(overrun * self.company_id.work_auth_points_per_hour, 2)
        )
        if points <= 0:
            raise UserError(
                _(
                    "The company returns no points per absorbed hour: set "
                    "them in the Helpdesk settings first.",
                )
            )
        note = _(
            "Overrun of %(hours)s h absorbed on %(name)s (%(ticket)s): %(reason)s",
            hours=format_hours(overrun),
            name=self.name,
            ticket=self.ticket_id.display_name,
            reason=self.absorb_reason.strip(),
        )
        self.env["support.points.move"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "points": points,
                "kind": "adjust",
                "note": note,
            }
        )
        self.absorbed_points = points
        self.ticket_id.message_post(
            body=_(
                "%(points)s service points returned to %(customer)s: %(note)s",
                points=points,
                customer=self.partner_id.name,
                note=note,
            )
        )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _format_hours(self, hours):
        return format_hours(hours)

    def _check_can_send(self):
        self.ensure_one()
        if self.state in ("done", "cancel"):
            raise UserError(
                _(
                    "%(name)s is %(state)s: prepare a new authorization.",
                    name=self.name,
                    state=dict(STATES)[self.state],
                )
            )
        if not self.line_ids:
            raise UserError(
                _(
                    "Add the estimated hours by time type (and the parts) to "
                    "%(name)s before sending it.",
                    name=self.name,
                )
            )
        contacts = self.partner_id._work_auth_contacts()
        if not self.contact_id or self.contact_id not in contacts:
            raise UserError(
                _(
                    "%(customer)s has no authorized contact for work "
                    "authorizations (or %(name)s is not sent to one): set "
                    "them on the customer, tab Sales & Purchase.",
                    customer=self.partner_id.display_name or "?",
                    name=self.name,
                )
            )
        if self.pay_in_points and self.points_cost <= 0:
            raise UserError(
                _(
                    "Set how many points %(name)s costs, or untick 'Pay in points'.",
                    name=self.name,
                )
            )

    def _prepare_order_vals(self):
        self.ensure_one()
        lines = [
            Command.create(line._prepare_order_line_vals()) for line in self.line_ids
        ]
        if self.pay_in_points:
            lines.append(
                Command.create(
                    {
                        "display_type": "line_note",
                        "name": _(
                            "Paid with %(points)s service points, used when "
                            "you accept.",
                            points=self.points_cost,
                        ),
                    }
                )
            )
        return {
            "partner_id": self.contact_id.id,
            "company_id": self.company_id.id,
            "require_signature": True,
            "require_payment": False,
            "work_auth_id": self.id,
            "origin": self.ticket_id.display_name,
            "client_order_ref": self.name,
            "order_line": lines,
        }

    def _check_acceptor(self, partner):
        """Refuse the acceptance by anyone but the customer's authorized
        contacts (the portal and the confirmation both ask this)."""
        self.ensure_one()
        if partner not in self.partner_id._work_auth_contacts():
            raise UserError(
                _(
                    "Only the people %(customer)s authorized to accept work "
                    "(%(contacts)s) can accept %(name)s. Please forward it to "
                    "them.",
                    customer=self.partner_id.name,
                    contacts=", ".join(
                        self.partner_id._work_auth_contacts().mapped("name")
                    )
                    or _("nobody yet"),
                    name=self.name,
                )
            )

    def _on_order_accepted(self, order, acceptor):
        """The authorized contact accepted ``order``: it is the estimate now."""
        self.ensure_one()
        older = self.order_ids.filtered(
            lambda other: other != order and other.state == "sale"
        )
        if older:
            older.with_context(disable_cancel_warning=True).action_cancel()
        for line in self.line_ids:
            line.accepted_quantity = line.quantity
        was_reauth = self.state == "reauth"
        if self.pay_in_points and self.points_cost > self.points_used:
            self._use_points(self.points_cost - self.points_used)
        self.write(
            {
                "state": "accepted",
                "accepted_order_id": order.id,
                "order_id": order.id,
                "accepted_on": fields.Datetime.now(),
                "accepted_by_id": acceptor.id,
            }
        )
        if was_reauth:
            self.ticket_id._work_auth_leave_reauthorization()
        self.ticket_id.message_post(
            body=_(
                "%(contact)s accepted work authorization %(name)s: %(hours)s h "
                "estimated.",
                contact=acceptor.name,
                name=self.name,
                hours=format_hours(self.accepted_hours),
            ),
        )

    def _use_points(self, points):
        self.env["support.points.move"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "points": -points,
                "kind": "consume",
                "note": _("Work authorization %(name)s", name=self.name),
            }
        )
        self.points_used += points

    def _overrun_hours(self):
        self.ensure_one()
        return max(0.0, self.actual_hours - self.accepted_hours)

    def _check_overrun(self):
        """Billable time beyond the accepted estimate by more than the
        company's tolerance asks the contact to accept a revision."""
        for authorization in self.filtered(lambda a: a.state == "accepted"):
            tolerance = authorization.company_id.work_auth_tolerance_percent
            limit = authorization.accepted_hours * (1 + tolerance / 100.0)
            if float_round(authorization.actual_hours - limit, 4) <= 0:
                continue
            authorization.state = "reauth"
            authorization.ticket_id._work_auth_enter_reauthorization()
            authorization._notify_reauthorization()

    def _notify_reauthorization(self):
        self.ensure_one()
        contact = self.contact_id
        ticket = self.ticket_id.with_context(lang=contact.lang or self.env.lang)
        body = ticket._work_auth_reauth_message(self)
        ticket.message_post(
            body=body,
            partner_ids=contact.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        if ticket.user_id:
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=ticket.user_id.id,
                summary=_("Send the revised work authorization"),
            )

    def _set_delivered_quantities(self, order):
        """Delivered = the billable hours logged per time type's product;
        parts as estimated."""
        products = self.env["product.product"]
        hours_by_product = {
            products.browse(int(product_id)): hours
            for product_id, hours in self.work_breakdown["billable_by_product"].items()
        }
        product_lines = order.order_line.filtered(lambda line: line.product_id)
        for product, hours in hours_by_product.items():
            line = product_lines.filtered(lambda ol, p=product: ol.product_id == p)
            if not line:
                line = self.env["sale.order.line"].create(
                    {
                        "order_id": order.id,
                        "product_id": product.id,
                        "product_uom_qty": 0.0,
                    }
                )
            line[:1].qty_delivered = hours
            (line - line[:1]).qty_delivered = 0.0
        time_products = self.line_ids.filtered("time_type_id").product_id
        for line in product_lines:
            if line.product_id not in hours_by_product:
                if line.product_id in time_products:
                    line.qty_delivered = 0.0
                else:
                    line.qty_delivered = line.product_uom_qty

    def _breakdown(self):
        """Per time type: accepted estimate, actual, no charge and the visits
        (travel and on-site times) in the contact's timezone; and the billable
        hours per product. Read through ``work_breakdown``, a stored field
        the ORM computes as superuser, so that every technician's time
        counts."""
        self.ensure_one()
        rows = {}
        billable_by_product = {}
        for line in self.line_ids.filtered("time_type_id"):
            row = rows.setdefault(line.time_type_id, self._breakdown_row(line))
            row["estimate"] += line.quantity
            row["accepted"] += line.accepted_quantity
        for timesheet in self.ticket_id.timesheet_ids:
            time_type = timesheet.time_type_id
            row = rows.setdefault(time_type, self._breakdown_row(timesheet))
            if timesheet._work_auth_is_billable():
                row["actual"] += timesheet.unit_amount
                product_id = str(time_type.work_auth_product_id.id)
                billable_by_product[product_id] = (
                    billable_by_product.get(product_id, 0.0) + timesheet.unit_amount
                )
            else:
                row["no_charge"] += timesheet.unit_amount
        tz = self.contact_id.tz or self.env.user.tz or "UTC"
        for visit in self.ticket_id.work_auth_visit_ids:
            for line, start, end in (
                (visit.travel_line_id, visit.departed_at, visit.arrived_at),
                (visit.onsite_line_id, visit.arrived_at, visit.left_at),
            ):
                if line and line.time_type_id in rows:
                    rows[line.time_type_id]["visits"].append(
                        visit._format_span(start, end, tz)
                    )
        return {"rows": list(rows.values()), "billable_by_product": billable_by_product}

    @api.model
    def _breakdown_row(self, line):
        time_type = line.time_type_id
        return {
            "name": time_type.name or _("Other time"),
            "estimate": 0.0,
            "accepted": 0.0,
            "actual": 0.0,
            "no_charge": 0.0,
            "visits": [],
        }

    def _prepare_invoice_notes(self):
        self.ensure_one()
        notes = [
            {
                "display_type": "line_section",
                "name": _(
                    "Work authorization %(name)s (%(ticket)s): accepted estimate "
                    "against actual",
                    name=self.name,
                    ticket=self.ticket_id.display_name,
                ),
            }
        ]
        for row in self.work_breakdown["rows"]:
            text = _(
                "%(type)s: accepted %(accepted)s h, actual %(actual)s h",
                type=row["name"],
                accepted=format_hours(row["accepted"]),
                actual=format_hours(row["actual"]),
            )
            if row["no_charge"]:
                text += " " + _(
                    "+ %(hours)s h no charge", hours=format_hours(row["no_charge"])
                )
            if row["visits"]:
                text += " (" + "; ".join(row["visits"]) + ")"
            notes.append({"display_type": "line_note", "name": text})
        return notes
