# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import logging

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import datetime, safe_eval

from .support_points_move import MAX_POINTS_PER_LINE

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

    @api.model
    def _check_points_vals(self, vals, name):
        """Refuse points one ledger line could not move, before writing (a
        number past the database's integer would fail there, unexplained)."""
        points = vals.get("points") or 0
        if isinstance(points, int | float) and abs(points) <= MAX_POINTS_PER_LINE:
            return
        raise ValidationError(
            _(
                "Charge rule %(rule)s cannot charge or credit %(points)s points: "
                "a charge moves at most %(max)s points. Enter a smaller number.",
                rule=name,
                points=points,
                max=MAX_POINTS_PER_LINE,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        # refuse a bad condition or number before anything is written
        for vals in vals_list:
            self._check_points_vals(vals, vals.get("name"))
            if "ticket_domain" in vals:
                self.new(vals)._get_ticket_domain()
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        if "points" in vals:
            for rule in self:
                rule._check_points_vals(vals, rule.name)
        if "ticket_domain" in vals:
            for rule in self:
                rule.new(dict(vals, name=rule.name))._get_ticket_domain()
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """A rule that charged tickets is archived, not deleted."""
        # sudo: whether any ticket, of any company or agent, archived or not,
        # names the rules; the caller may not read all of them, and only the
        # rules' own names go into the message
        groups = (
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("support_charge_rule_id", "in", self.ids)],
                groupby=["support_charge_rule_id"],
            )
        )
        used = self.browse([rule.id for (rule,) in groups])
        if used:
            raise UserError(
                _(
                    "Charge rule(s) %(rules)s decided the charge of closed "
                    "tickets, which keep a reference to it: archive the rule "
                    "instead of deleting it.",
                    rules=", ".join(used.mapped("name")),
                )
            )

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
        """``(rule id, domain source, literal domain, usable)`` of the active
        rules of a company (and of every company), by sequence; the literal
        domain is None when the source names variables and must be evaluated
        on each use; ``usable`` is False for a rule whose condition no longer
        works (e.g. a field that was removed).

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
        entries = []
        for rule in rules:
            try:
                rule._get_ticket_domain()
            except ValidationError:
                entries.append((rule.id, rule.ticket_domain, None, False))
                continue
            entries.append(
                (
                    rule.id,
                    rule.ticket_domain,
                    self._literal_ticket_domain(rule.ticket_domain),
                    True,
                )
            )
        return tuple(entries)

    @api.model
    def _find_for_ticket(self, ticket):
        """First active rule, by sequence, whose domain matches the ticket.

        Raise ``ValidationError`` naming the rule when a rule met before the
        matching one cannot be evaluated: a broken rule never lets the next
        one (e.g. the catch-all) charge the customer instead (fail safe).
        """
        entries = self._rules_of_company(ticket.company_id.id)
        # one recordset: the matching rule's fields are read with the others'
        rules = self.browse([entry[0] for entry in entries])
        for rule, (_rule_id, source, literal, usable) in zip(
            rules, entries, strict=True
        ):
            try:
                if not usable:
                    # raises the ValidationError that says why
                    domain = rule._get_ticket_domain()
                elif literal is not None:
                    domain = list(literal)
                else:
                    # a domain naming the user or today is evaluated on each use
                    domain = self._eval_ticket_domain(source)
                matches = ticket.filtered_domain(domain)
            except psycopg2.Error:
                # a database error (e.g. a serialization failure Odoo retries)
                # is not the rule's fault: raised as is
                raise
            except ValidationError as error:
                _logger.warning(
                    "Support charge rule %s cannot be evaluated: %s", rule.id, error
                )
                raise
            except Exception as error:  # noqa: BLE001 - any broken condition
                _logger.warning(
                    "Support charge rule %s cannot be evaluated: %s", rule.id, error
                )
                raise ValidationError(
                    _(
                        "The condition of charge rule %(rule)s cannot be used "
                        "(%(error)s). Edit it with the domain editor.",
                        rule=rule.name,
                        error=error,
                    )
                ) from error
            if matches:
                return rule
        return self.browse()
