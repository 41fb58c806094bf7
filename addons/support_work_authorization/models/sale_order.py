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

    def _work_auth_acceptor(self):
        """Who accepts: the logged-in user, or the portal user who signed
        when the portal confirms the order as superuser (a context key
        honoured only in a superuser environment, which RPC never is)."""
        partner_id = self.env.context.get("work_auth_acceptor_id")
        if self.env.su and partner_id:
            return self.env["res.partner"].browse(partner_id)
        return self.env.user.partner_id

    def action_confirm(self):
        """A work authorization is accepted by its customer's authorized
        contacts only; confirming its quotation is that acceptance."""
        acceptor = self._work_auth_acceptor()
        for order in self.filtered("work_auth_id"):
            order.work_auth_id._check_acceptor(acceptor)
        result = super().action_confirm()
        for order in self.filtered("work_auth_id"):
            order.work_auth_id._on_order_accepted(order, acceptor)
        return result
