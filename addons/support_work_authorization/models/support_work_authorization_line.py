# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SupportWorkAuthorizationLine(models.Model):
    _name = "support.work.authorization.line"
    _description = "Work authorization estimate line"
    _order = "authorization_id, sequence, id"

    authorization_id = fields.Many2one(
        comodel_name="support.work.authorization",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    time_type_id = fields.Many2one(
        comodel_name="project.time.type",
        string="Time type",
        ondelete="restrict",
        help="Hours of this kind of work; leave empty for a part.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        compute="_compute_product_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        ondelete="restrict",
    )
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
    )
    quantity = fields.Float(
        string="Hours / quantity",
        default=1.0,
        digits="Product Unit of Measure",
    )
    accepted_quantity = fields.Float(
        readonly=True,
        copy=False,
        digits="Product Unit of Measure",
        help="What the customer accepted last.",
    )
    currency_id = fields.Many2one(related="authorization_id.currency_id")
    price_unit = fields.Monetary(
        string="Rate / unit price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
    )
    price_subtotal = fields.Monetary(compute="_compute_price_subtotal")

    @api.depends("time_type_id")
    def _compute_product_id(self):
        for line in self:
            if line.time_type_id.work_auth_product_id:
                line.product_id = line.time_type_id.work_auth_product_id

    @api.depends("product_id", "time_type_id")
    def _compute_name(self):
        for line in self:
            line.name = line.time_type_id.name or line.product_id.display_name

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            line.price_unit = line.product_id.lst_price

    @api.depends("quantity", "price_unit", "authorization_id.pay_in_points")
    def _compute_price_subtotal(self):
        for line in self:
            paid_in_points = line.authorization_id.pay_in_points
            line.price_subtotal = (
                0.0 if paid_in_points else line.quantity * (line.price_unit)
            )

    @api.constrains("quantity", "time_type_id")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _(
                        "The estimate line %(line)s of %(name)s needs a "
                        "positive number of hours or units.",
                        line=line.name,
                        name=line.authorization_id.name,
                    )
                )
            if line.time_type_id and not line.time_type_id.work_auth_product_id:
                raise ValidationError(
                    _(
                        "The time type %(type)s has no service product to bill "
                        "it: set one in Helpdesk > Configuration > Time types.",
                        type=line.time_type_id.name,
                    )
                )

    def _prepare_order_line_vals(self):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "name": self.name,
            "product_uom_qty": self.quantity,
            "price_unit": 0.0
            if self.authorization_id.pay_in_points
            else (self.price_unit),
        }
