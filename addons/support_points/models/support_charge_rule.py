# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import datetime, safe_eval

_logger = logging.getLogger(__name__)


def freeze_domain(value):
    """``value`` (a domain or one of its terms) with every list and tuple
    in it turned into a tuple, to be kept in the rules' cache and shared."""
    if isinstance(value, list | tuple):
        return tuple(freeze_domain(item) for item in value)
    return value


class SupportChargeRule(models.Model):
    _name = "support.charge.rule"
    _description = "Support Charge Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    ticket_domain = fields.Char(
        string="Applies to",
        required=True,
        default="[]",
        help="Tickets this rule applies to. The first matching rule, by "
        "sequence, decides the charge.",
    )
    points = fields.Integer(
        help="Points charged when a matching ticket closes: positive is a "
        "cost, 0 is free, negative is credited back to the customer.",
    )
    fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Fee product",
        ondelete="restrict",
        help="Invoiced per incident when the customer's points cannot cover "
        "the cost and the company charges a fee.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to apply the rule in every company.",
    )

    def _get_ticket_domain(self):
        """Return the rule's domain; raise ValidationError if unusable."""
        self.ensure_one()
        try:
            domain = self._eval_ticket_domain(self.ticket_domain)
            # builds the query without running it: checks field names
            self.env["helpdesk.ticket"]._search(domain)
        except Exception as error:
            raise ValidationError(
                _(
                    "The condition of charge rule %(rule)s cannot be used "
                    "(%(error)s). Edit it with the domain editor.",
                    rule=self.name,
                    error=error,
                )
            ) from error
        return domain

    @api.model
    def _eval_ticket_domain(self, source):
        """The domain written in ``source``; raise if it is not one."""
        domain = safe_eval(
            source or "[]",
            {
                "uid": self.env.uid,
                "user": self.env.user,
                "context_today": datetime.date.today,
                "datetime": datetime,
            },
        )
        return self._normalize_ticket_domain(domain)

    @api.model
    def _normalize_ticket_domain(self, domain):
        """``domain`` normalized; raise ValueError if it is not a domain."""
        if not isinstance(domain, list | tuple):
            raise ValueError(_("a domain is a list of conditions"))
        return expression.normalize_domain(list(domain))

    @api.constrains("ticket_domain")
    def _check_ticket_domain(self):
        for rule in self:
            rule._get_ticket_domain()

    @api.model_create_multi
    def create(self, vals_list):
        # refuse a bad condition before anything is written
        for vals in vals_list:
            if "ticket_domain" in vals:
                self.new(vals)._get_ticket_domain()
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        if "ticket_domain" in vals:
            for rule in self:
                rule.new(dict(vals, name=rule.name))._get_ticket_domain()
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _literal_ticket_domain(self, source):
        """The domain written in ``source`` as a tuple of immutable terms when
        it names no variable (``user``, ``context_today()``...), else None."""
        try:
            domain = self._normalize_ticket_domain(ast.literal_eval(source or "[]"))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None

        return freeze_domain(domain)

    @api.model
    @tools.ormcache("company_id")
    def _rules_of_company(self, company_id):
        """``(rule id, domain source, literal domain)`` of the active rules of
        a company (and of every company), by sequence, without the unusable
        ones; the literal domain is None when the source names variables and
        must be evaluated on each use.

        Cached: a ticket closing does not search the rules again.  Any
        create, write or unlink of a rule clears the cache.
        """
        # sudo: the company's rules apply whoever closes the ticket
        rules = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch(
                [("company_id", "in", (False, company_id))],
                ["ticket_domain"],
                order="sequence, id",
            )
        )
        usable = []
        for rule in rules:
            try:
                rule._get_ticket_domain()
            except ValidationError:
                # fail safe: a rule broken later (e.g. a removed field) is
                # skipped rather than blocking every ticket closing
                _logger.warning("Skipping unusable support charge rule %s", rule.id)
                continue
            usable.append(
                (
                    rule.id,
                    rule.ticket_domain,
                    self._literal_ticket_domain(rule.ticket_domain),
                )
            )
        return tuple(usable)

    @api.model
    def _find_for_ticket(self, ticket):
        """First active rule, by sequence, whose domain matches the ticket."""
        entries = self._rules_of_company(ticket.company_id.id)
        # one recordset: the matching rule's fields are read with the others'
        rules = self.browse([rule_id for rule_id, _source, _literal in entries])
        for rule, (_rule_id, source, literal) in zip(rules, entries, strict=True):
            try:
                # a domain naming the user or today is evaluated on each use
                domain = (
                    list(literal)
                    if literal is not None
                    else self._eval_ticket_domain(source)
                )
                matches = ticket.filtered_domain(domain)
            except Exception:  # noqa: BLE001 - same fail-safe as above
                _logger.warning("Skipping unusable support charge rule %s", rule.id)
                continue
            if matches:
                return rule
        return self.browse()
