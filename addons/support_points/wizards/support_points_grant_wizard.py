# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SupportPointsGrantWizard(models.TransientModel):
    _name = "support.points.grant.wizard"
    _description = "Grant Support Points to Customers"

    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Customers",
        help="Points go to each customer's company (commercial partner), once.",
    )
    points = fields.Integer(required=True, default=1)
    expiry_date = fields.Date(help="Leave empty for points that never expire.")
    note = fields.Char(required=True, default=lambda self: _("Loyalty gift"))
    customer_since_years = fields.Integer(
        string="Customers since more than (years)",
        help="Select every customer company created more than this many years ago.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            "partner_ids" in fields_list
            and self.env.context.get("active_model") == "res.partner"
            and self.env.context.get("active_ids")
        ):
            res["partner_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return res

    def _reopen(self):
        # the dialog keeps its title when the wizard reopens itself
        return {
            "type": "ir.actions.act_window",
            "name": _("Grant support points"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_select_long_standing(self):
        """Fill in every customer company older than the given years."""
        self.ensure_one()
        if self.customer_since_years <= 0:
            raise UserError(
                _("Give a number of years greater than zero to select customers.")
            )
        limit = fields.Datetime.now() - relativedelta(years=self.customer_since_years)
        customers = self.env["res.partner"].search(
            [
                ("is_company", "=", True),
                ("customer_rank", ">", 0),
                ("create_date", "<=", limit),
            ]
        )
        self.partner_ids = [fields.Command.set(customers.ids)]
        return self._reopen()

    def action_grant(self):
        """Grant the points to every selected customer company at once."""
        self.ensure_one()
        companies = self.partner_ids.commercial_partner_id
        if not companies:
            raise UserError(_("Select at least one customer to grant points to."))
        companies._check_support_points_manager()
        vals_list = [
            partner._prepare_support_points_grant_vals(
                self.points, self.note, self.expiry_date
            )
            for partner in companies
        ]
        moves = self.env["support.points.move"].create(vals_list)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_points.support_points_move_action"
        )
        action["domain"] = [("id", "in", moves.ids)]
        return action
