# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    work_auth_id = fields.Many2one(
        comodel_name="support.work.authorization",
        string="Work authorization",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    def action_confirm(self):
        """A work authorization is accepted by its customer's authorized
        contacts only; confirming its quotation is that acceptance."""
        for order in self.filtered("work_auth_id"):
            order.work_auth_id._check_acceptor(self.env.user.partner_id)
        result = super().action_confirm()
        for order in self.filtered("work_auth_id"):
            order.work_auth_id._on_order_accepted(order)
        return result
