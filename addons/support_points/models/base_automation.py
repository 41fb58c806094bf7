# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import functools
from contextlib import contextmanager

import psycopg2

from odoo import api, models, tools
from odoo.tools import lazy_property

from odoo.addons.base_automation.models.base_automation import WRITE_TRIGGERS


@contextmanager
def _released_environments(env):
    """Let the environments created inside the block die with their last
    reference instead of waiting for the garbage collector.

    An environment caches its user and company (``lazy_property``) as records
    bound to itself: every environment that read ``env.user`` is a reference
    cycle, freed only by a collection of the garbage collector's older
    generations.  base_automation builds four or five such environments for
    each write it processes (old values, postcondition, feedback, the server
    action's context), and while they wait they stay in the transaction's set
    of environments, which every ``with_context()``, ``sudo()`` and
    ``with_company()`` of the transaction scans: in a job closing tickets one
    by one, each closing scanned about twice as many environments as with the
    plain helpdesk.  Resetting their lazy properties, as Odoo does for every
    environment of a transaction it resets, breaks those cycles; an
    environment still in use computes its user again when it needs it.
    """
    envs = env.transaction.envs
    before = set(envs)
    try:
        yield
    finally:
        for new_env in list(envs):
            if new_env not in before:
                lazy_property.reset_all(new_env)


def _prefetch_old_values(records, vals):
    """Read the old values base_automation is about to read, through
    ``records`` itself.

    base_automation reads them on ``records.filtered("id")``, a new recordset
    whose prefetch set is the written records alone.  Code writing records one
    by one in a loop (``for ticket in tickets: ticket.write(...)``) then
    fetched each one's row in a query of its own, where the ORM fetches the
    rows of the whole loop at once.  Read through ``records``, the values come
    with those of its prefetch set, and base_automation finds them in cache.
    """
    fields_ = records._fields
    # the first record, taken by iteration, which keeps the prefetch set
    first = next(iter(records), None)
    if first is not None:
        for name in vals:
            if name in fields_ and fields_[name].store:
                fields_[name].__get__(first)


def freeze_domain(value):
    """``value`` (a domain or one of its terms) with every list and tuple
    in it turned into a tuple, to be kept and shared."""
    if isinstance(value, list | tuple):
        return tuple(freeze_domain(item) for item in value)
    return value


@functools.lru_cache(maxsize=256)
def _literal_domain(text):
    """The domain written in ``text`` as a tuple of its terms when it names
    no variable (``uid``, ``time``...), else None."""
    try:
        domain = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(domain, list):
        return None
    # shared by every call: nothing in it may change
    return freeze_domain(domain)


def _make_write_guard(patched):
    """Wrap base_automation's ``write`` patch: skip it when no automation of
    the model can fire for the fields written."""

    def write(self, vals, **kw):
        automations = self.env["base.automation"]
        if automations._support_may_trigger(self._name, vals):
            _prefetch_old_values(self, vals)
            with _released_environments(self.env):
                return patched(self, vals, **kw)
        return patched.origin(self, vals, **kw)

    write.origin = patched.origin
    write.support_guarded = True
    return write


def _make_compute_guard(patched):
    """Wrap base_automation's ``_compute_field_value`` patch the same way,
    for the stored fields the computation writes."""

    def _compute_field_value(self, field):
        fnames = [f.name for f in self.pool.field_computed[field] if f.store]
        # base_automation's patch goes straight to the original method for a
        # field that is not stored
        if fnames and self.env["base.automation"]._support_may_trigger(
            self._name, fnames
        ):
            with _released_environments(self.env):
                return patched(self, field)
        return patched.origin(self, field)

    _compute_field_value.origin = patched.origin
    _compute_field_value.support_guarded = True
    return _compute_field_value


class BaseAutomation(models.Model):
    """Look the automation rules of a model up once, not on every write.

    Shipping the charge automation on ``helpdesk.ticket`` makes Odoo patch the
    ticket's ``create``, ``write`` and ``_compute_field_value``; each call then
    searched ``base.automation`` again (about six searches per ticket closing,
    most of them for writes and recomputations that have nothing to do with
    the automation).  base_automation reports every change of a model's rules
    (create, unlink, writes of its ``CRITICAL_FIELDS``) through
    ``_update_registry``, which now clears the cache too, the way Odoo caches
    record rules and access rights.

    The patched ``write`` and ``_compute_field_value`` are also skipped when
    none of the fields they change is a trigger field of an automation of the
    model (the access token written with the closing email, the ticket's
    stored computed fields...): base_automation would evaluate filters and
    read old values only to find nothing to run.  Each closing paid for three
    of these evaluations.
    """

    _inherit = "base.automation"

    @api.model
    def _get_actions(self, records, triggers):
        # same result as base_automation's, the search served by the cache
        automations = self
        if "__action_done" not in automations.env.context:
            automations = automations.with_context(__action_done={})
        ids = automations._support_automation_ids(records._name, tuple(triggers))
        done = automations.env.context["__action_done"]
        if done and ids and records:
            # An automation already processed on all these records is a no-op
            # for them (``_process`` skips what ``__action_done`` holds): e.g.
            # the charge's own write on the ticket it is charging.  Leaving it
            # out spares base_automation its filters and old values.
            record_ids = set(records._ids)
            ids = tuple(
                automation_id
                for automation_id in ids
                if not record_ids.issubset(
                    done.get(automations.browse(automation_id), records.browse())._ids
                )
            )
        return automations.browse(ids)

    @api.model
    @tools.ormcache("model_name", "triggers")
    def _support_automation_ids(self, model_name, triggers):
        """Ids of the active automations of ``model_name`` with these triggers."""
        # sudo: which automations exist does not depend on the user writing;
        # base_automation searches them as superuser as well
        automations = (
            self.with_context(active_test=True)
            .sudo()
            .search([("model_name", "=", model_name), ("trigger", "in", triggers)])
        )
        return tuple(automations.ids)

    @api.model
    @tools.ormcache("model_name")
    def _support_write_trigger_fields(self, model_name):
        """The stored fields of ``model_name`` whose change may run one of its
        active write automations, as a frozenset; ``None`` when one of them
        has no trigger fields (every field triggers it).

        Only stored fields count: base_automation compares the old and new
        values of the stored fields written or recomputed
        (``_check_trigger_fields``), so a trigger field that is not stored
        never fires on a write.
        """
        # sudo: as in _support_automation_ids
        automations = (
            self.with_context(active_test=True)
            .sudo()
            .search(
                [("model_name", "=", model_name), ("trigger", "in", WRITE_TRIGGERS)]
            )
        )
        model_fields = self.env[model_name]._fields
        stored = set()
        for automation in automations:
            names = automation.trigger_field_ids.mapped("name")
            if not names:
                return None
            stored.update(
                name
                for name in names
                if name in model_fields and model_fields[name].store
            )
        return frozenset(stored)

    @api.model
    def _support_may_trigger(self, model_name, fnames):
        """Whether writing the fields ``fnames`` of ``model_name`` records may
        run an automation.

        base_automation runs an automation after a write or a recomputation
        only for records where one of its trigger fields changed
        (``_check_trigger_fields``), comparing the stored fields written or
        recomputed.  When none of them is a trigger field of any automation of
        the model, its filters and old values would be evaluated for nothing.
        Called on every write and recomputation of the model: one cache
        lookup and a set intersection.
        """
        triggers = self._support_write_trigger_fields(model_name)
        return triggers is None or not triggers.isdisjoint(fnames)

    def _register_hook(self):
        super()._register_hook()
        # base_automation has just patched write and _compute_field_value of
        # the models of its automations (its patches are set on the
        # registry's classes and carry ``origin``); guard those patches
        automations = self.with_context(active_test=True).search([])
        for model_name in set(automations.mapped("model_name")):
            model_class = self.env.registry.get(model_name)
            if model_class is None:
                continue
            for name, guard in (
                ("write", _make_write_guard),
                ("_compute_field_value", _make_compute_guard),
            ):
                patched = model_class.__dict__.get(name)
                if (
                    patched is not None
                    and hasattr(patched, "origin")
                    and not getattr(patched, "support_guarded", False)
                ):
                    setattr(model_class, name, guard(patched))

    def write(self, vals):
        res = super().write(vals)
        if "trigger_field_ids" in vals:
            # not one of base_automation's CRITICAL_FIELDS, but the guards
            # above depend on it
            self.env.registry.clear_cache()
        return res

    def _filter_pre(self, records, feedback=False):
        domain = self._support_literal_domain("filter_pre_domain", records)
        if domain is None:
            return super()._filter_pre(records, feedback=feedback)
        return self._support_filter(records, domain, feedback)

    def _filter_post_export_domain(self, records, feedback=False):
        domain = self._support_literal_domain("filter_domain", records)
        if domain is None:
            return super()._filter_post_export_domain(records, feedback=feedback)
        return self._support_filter(records, domain, feedback), domain

    def _support_literal_domain(self, fname, records):
        """The automation's domain ``fname`` when it is a plain literal (as
        the charge automation's ``[("stage_id.closed", "=", True)]``), else
        None.

        base_automation evaluates its domains with ``safe_eval`` in a fresh
        evaluation context (user, model, date modules) every time a record is
        written: for a literal domain that is the same list every time, read
        here once per process.
        """
        # sudo: as base_automation reads its domains
        text = self.sudo()[fname]
        if not text or not records:
            return None
        domain = _literal_domain(text)
        return list(domain) if domain is not None else None

    @staticmethod
    def _support_filter(records, domain, feedback):
        """The records of ``records`` matching ``domain``, as base_automation
        filters them (in sudo, returned in the caller's environment)."""
        if feedback:
            # the flag base_automation sets to detect automations run while
            # the domain is evaluated
            records = records.with_context(__action_feedback=True)
        # sudo: as base_automation filters; only the records the caller
        # writes are filtered, and they are returned in the caller's env
        return records.sudo().filtered_domain(domain).with_env(records.env)

    @api.model
    def _add_postmortem(self, e):
        # A database error (e.g. a charge losing the race for a customer's
        # balance lock: Odoo retries the request) aborted the transaction:
        # the user's groups and the rule's name read here would only log a
        # second, misleading "current transaction is aborted" error.
        if isinstance(e, psycopg2.Error):
            return
        super()._add_postmortem(e)

    def _update_registry(self):
        # base_automation calls this on every change that can alter the
        # cached lookup (create, unlink, and writes of its CRITICAL_FIELDS:
        # model, trigger, active); its own re-registration is skipped while
        # the registry loads, the cached ids must be dropped regardless
        self.env.registry.clear_cache()
        return super()._update_registry()
