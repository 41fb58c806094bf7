# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    work_auth_no_charge = fields.Boolean(
        string="No charge",
        help="Shown to the customer as 'no charge' instead of billed.",
    )
    work_auth_unauthorized = fields.Boolean(
        string="Logged before acceptance",
        readonly=True,
        copy=False,
        help="Logged while the ticket's work authorization was not accepted "
        "(or waited for a revision to be accepted).",
    )

    def _work_auth_is_billable(self):
        self.ensure_one()
        time_type = self.time_type_id
        return bool(
            time_type.work_auth_billable
            and time_type.work_auth_product_id
            and not self.work_auth_no_charge
        )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = self.env["helpdesk.ticket"]
        for vals in vals_list:
            ticket = tickets.browse(vals.get("ticket_id"))
            vals["work_auth_unauthorized"] = bool(
                ticket and not ticket._work_auth_is_authorized()
            )
        lines = super().create(vals_list)
        lines.ticket_id.work_auth_ids._check_overrun()
        return lines

    def write(self, vals):
        tickets = self.ticket_id
        result = super().write(vals)
        if {"unit_amount", "time_type_id", "ticket_id", "work_auth_no_charge"} & set(
            vals
        ):
            (tickets | self.ticket_id).work_auth_ids._check_overrun()
        return result
