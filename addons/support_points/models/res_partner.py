# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import format_amount

from .support_points_move import parse_points_date


class ResPartner(models.Model):
    _inherit = "res.partner"

    # sudo: the three figures below are aggregates of the customer's own
    # ledger in the current company; they are shown to whoever may read the
    # partner (agents, accountants, the customer on the portal), the ledger
    # lines themselves stay protected by their access rules.
    support_points_balance = fields.Integer(
        string="Support points",
        compute="_compute_support_points_balance",
        search="_search_support_points_balance",
        compute_sudo=True,
        help="Service points left to the customer's company in this company.",
    )
    support_points_expiry_date = fields.Date(
        string="Points expire on",
        compute="_compute_support_points_expiry",
        compute_sudo=True,
        help="Soonest date on which some of the unused points expire.",
    )
    support_points_expiring = fields.Integer(
        string="Points expiring",
        compute="_compute_support_points_expiry",
        compute_sudo=True,
        help="How many unused points expire on that date.",
    )
    support_points_low = fields.Boolean(
        string="Low points balance",
        compute="_compute_support_points_balance",
        compute_sudo=True,
    )

    # Two computes, one query each: the balance (ticket lists, kanban, the
    # closing email) does not pay for the expiry figures, and vice versa.
    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_support_points_balance(self):
        balances = self.support_points_balances(self.env.company)
        threshold = self.env.company.support_points_low_threshold
        for partner in self:
            balance = balances.get(partner.id, 0)
            partner.support_points_balance = balance
            # only customers in the points scheme are warned about
            partner.support_points_low = partner.id in balances and (
                balance <= threshold
            )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_support_points_expiry(self):
        expiries = self.support_points_expiries(self.env.company)
        for partner in self:
            expiry, points = expiries.get(partner.id, (False, 0))
            partner.support_points_expiry_date = expiry
            partner.support_points_expiring = points

    # ------------------------------------------------------------------
    # Public batch methods: the one way to read the figures of many
    # customers at once (ticket lists, letters); the fields above use them
    # ------------------------------------------------------------------

    @api.private
    def support_points_balances(self, company=None):
        """Return ``{partner id: balance}``, in one query: the support points
        left to each partner's commercial partner (the customer's company) in
        ``company`` (a ``res.company`` record; default: the current company).
        Partners outside the points scheme there (no ledger line yet) are
        left out: read them as 0.

        The balance rows are read with the caller's rights (multi-company
        and portal rules); code showing balances to whoever may read the
        customers calls it on ``sudo()`` partners, as the
        ``support_points_balance`` fields of partners and tickets do.  For
        other add-ons' Python code, not callable over RPC (the fields are).
        """
        company = company or self.env.company
        commercial = self.commercial_partner_id
        balances = dict(
            self.env["support.points.balance"]._read_group(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", company.id),
                ],
                groupby=["partner_id"],
                aggregates=["balance:sum"],
            )
        )
        return {
            partner.id: balances[partner.commercial_partner_id]
            for partner in self
            if partner.commercial_partner_id in balances
        }

    @api.private
    def support_points_expiries(self, company=None):
        """Return ``{partner id: (date, points)}``, in one query: the soonest
        date on which unused points of each partner's commercial partner
        expire in ``company`` (as in ``support_points_balances``), and how
        many.  Partners with no expiring points are left out.  Read with the
        caller's rights, as ``support_points_balances``."""
        company = company or self.env.company
        soonest = {}
        for partner, expiry, points in self.env["support.points.move"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", company.id),
                ("remaining", ">", 0),
                ("expiry_date", "!=", False),
            ],
            groupby=["partner_id", "expiry_date:day"],
            aggregates=["remaining:sum"],
            order="expiry_date:day asc",
        ):
            soonest.setdefault(partner, (expiry, points))
        return {
            partner.id: soonest[partner.commercial_partner_id]
            for partner in self
            if partner.commercial_partner_id in soonest
        }

    def _search_support_points_balance(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UserError(
                _(
                    "Support points can only be compared with a number "
                    "(operator %(operator)s is not supported).",
                    operator=operator,
                )
            )
        # sudo: only partner ids come out of this search, and the balance it
        # filters on is shown to the same users
        rows = (
            self.env["support.points.balance"]
            .sudo()
            .search_read([("company_id", "=", self.env.company.id)], ["partner_id"])
        )
        balances = self.env["support.points.balance"].sudo()
        matching = balances.search(
            [("company_id", "=", self.env.company.id), ("balance", operator, value)]
        ).partner_id.ids
        domain = [("commercial_partner_id", "in", matching)]
        if self._zero_matches(operator, value):
            known = [row["partner_id"][0] for row in rows]
            domain = expression.OR(
                [domain, [("commercial_partner_id", "not in", known)]]
            )
        return domain

    @staticmethod
    def _zero_matches(operator, value):
        return {
            "=": 0 == value,
            "!=": 0 != value,
            "<": 0 < value,
            "<=": 0 <= value,
            ">": 0 > value,
            ">=": 0 >= value,
        }[operator]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_support_points_history(self):
        """A customer with a points history is archived, not deleted."""
        # sudo: whether the partners have ledger lines in any company; the
        # caller need not read the ledger, and only the partners' own names
        # go into the message
        groups = (
            self.env["support.points.move"]
            .sudo()
            ._read_group([("partner_id", "in", self.ids)], groupby=["partner_id"])
        )
        customers = self.browse([partner.id for (partner,) in groups])
        if customers:
            raise UserError(
                _(
                    "%(customers)s have a support points history (the points "
                    "ledger keeps their lines): archive them instead of "
                    "deleting them.",
                    customers=", ".join(customers.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_support_points(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_points.support_points_move_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_support_points_manager(self):
        if self.env.is_superuser() or self.env.user.has_group(
            "support_points.group_support_points_manager"
        ):
            return
        raise AccessError(
            _(
                "Only a support points manager can grant points to %(partners)s.",
                partners=", ".join(self.mapped("display_name")),
            )
        )

    def _prepare_support_points_grant_vals(self, points, note, expiry_date=False):
        self.ensure_one()
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
            raise UserError(
                _(
                    "A grant to %(partner)s must be a positive whole number of "
                    "points (got %(points)s).",
                    partner=self.display_name,
                    points=points,
                )
            )
        try:
            expiry_date = parse_points_date(expiry_date)
        except ValueError:
            raise UserError(
                _(
                    "The expiry date %(date)s of the grant to %(partner)s is not "
                    "a valid date; use the format YYYY-MM-DD.",
                    date=expiry_date,
                    partner=self.display_name,
                )
            ) from None
        return {
            "partner_id": self.commercial_partner_id.id,
            "company_id": self.env.company.id,
            "points": points,
            "kind": "grant",
            "note": note or _("Points granted"),
            "expiry_date": expiry_date or False,
        }

    def support_points_grant(self, points, note, expiry_date=False):
        """Grant points to this customer's company; return the ledger line id.

        Public (callable over RPC) for support points managers.  Raises a
        ``UserError`` and writes nothing for zero, negative or out-of-range
        points, an invalid or past expiry date, or not exactly one partner.
        """
        if len(self) != 1:
            raise UserError(
                _(
                    "Points are granted to one customer at a time (got "
                    "%(count)s: %(partners)s); use the grant wizard for several.",
                    count=len(self),
                    partners=", ".join(self.mapped("display_name")),
                )
            )
        self._check_support_points_manager()
        vals = self._prepare_support_points_grant_vals(points, note, expiry_date)
        return self.env["support.points.move"].create(vals).id

    # ------------------------------------------------------------------
    # Customer portal: what a point buys, packs on offer, pack requests
    # ------------------------------------------------------------------

    @api.model
    def _support_points_words(self, points):
        """``points`` in words: "No points", "1 point", "12 points"."""
        if not points:
            return _("No points")
        if abs(points) == 1:
            return _("%(points)s point", points=points)
        return _("%(points)s points", points=points)

    @api.model
    def _support_points_packs(self, company):
        """The points packs on sale in ``company``, smallest first."""
        return self.env["product.product"].search(
            [
                ("support_points", ">", 0),
                ("sale_ok", "=", True),
                ("company_id", "in", (False, company.id)),
            ],
            order="support_points, id",
        )

    @api.model
    def _support_points_price_list(self, company):
        """What a point buys in ``company``, in plain words, from its active
        charge rules in the order they apply: ``[(what, cost)]``."""
        rules = self.env["support.charge.rule"].search(
            [("company_id", "in", (False, company.id))], order="sequence, id"
        )
        lines = []
        for rule in rules:
            if rule.points > 0:
                cost = self._support_points_words(rule.points)
            elif not rule.points:
                cost = _("Free")
            else:
                cost = _(
                    "%(points)s back to you",
                    points=self._support_points_words(-rule.points),
                )
            lines.append((rule.name, cost))
        return lines

    @api.model
    def _support_points_empty_words(self, company):
        """What happens when the customer has no points left, in words."""
        if company.support_points_empty_policy == "overdraft":
            return _(
                "When no points are left, the balance goes below zero and your "
                "next pack makes up for it."
            )
        fees = (
            self.env["support.charge.rule"]
            .search([("company_id", "in", (False, company.id)), ("points", ">", 0)])
            .fee_product_id
        )
        if len(fees) == 1:
            return _(
                "When no points are left, a ticket that costs points is "
                "invoiced as a support incident instead (%(price)s).",
                price=format_amount(self.env, fees.lst_price, company.currency_id),
            )
        return _(
            "When no points are left, a ticket that costs points is invoiced "
            "as a support incident instead."
        )

    def _support_points_pending_requests(self, company):
        """Draft invoices of a points pack for this customer in ``company``:
        requests not confirmed yet."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "draft"),
                ("partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("invoice_line_ids.product_id.support_points", ">", 0),
            ],
            order="id desc",
        )

    def _support_points_request_pack(self, pack, company):
        """The customer asks for ``pack``: a draft invoice for its company,
        with an activity for its salesperson to confirm it (the points are
        credited when the invoice is posted, as for any pack invoice).

        One request at a time: return ``(invoice, created)``, the pending
        request if there is one.  Raise ``UserError`` for a product that is
        not a pack on sale in ``company``.
        """
        self.ensure_one()
        if len(pack) != 1 or pack not in self._support_points_packs(company):
            raise UserError(
                _(
                    "%(product)s is not a points pack on sale; choose one of the "
                    "packs on the page.",
                    product=pack.display_name or _("This product"),
                )
            )
        pending = self._support_points_pending_requests(company)
        if pending:
            return pending[0], False
        customer = self.commercial_partner_id.with_company(company)
        salesperson = self.user_id or customer.user_id
        if not salesperson:
            # no salesperson: a support points manager of the company
            salesperson = self.env.ref(
                "support_points.group_support_points_manager"
            ).users.filtered(lambda u: company in u.company_ids)[:1]
        invoice = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "invoice_origin": _("Customer portal"),
                    "invoice_user_id": salesperson.id,
                    "invoice_line_ids": [
                        Command.create({"product_id": pack.id, "quantity": 1})
                    ],
                }
            )
        )
        note = _(
            "%(person)s asked for the points pack %(pack)s on the customer "
            "portal. Check and confirm this invoice: the customer pays it "
            "online and gets the points when it is posted.",
            person=self.display_name,
            pack=pack.display_name,
        )
        invoice.message_post(body=note)
        if salesperson:
            invoice.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=salesperson.id,
                summary=_("Points pack requested on the portal"),
                note=note,
            )
        return invoice, True
