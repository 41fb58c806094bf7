"""Configuration as code: apply a YAML file of support settings over RPC.

Usage: ``.venv/bin/python setup/configure [--dry-run] FILE.yaml``

The file has one section per kind of record::

    sla_tiers:             # support.sla.tier
      - key: support_certification.sla_tier_standard   # existing external id
        response_hours: 8
    certification_levels:  # support.certification.level
      - key: expert        # bare key: stored as __configure__.expert
        name: Expert
        sla_tier_id: support_certification.sla_tier_premium
    charge_rules: [...]    # support.charge.rule
    point_packs: [...]     # product.template with support_points
    company: {...}         # fields of the current user's company

Records are matched by ``key``: a key with a dot is an existing external id
(e.g. a record the add-ons ship); a bare key is stored as the external id
``__configure__.<key>`` when the record is created, and a record that has no
such id yet is matched by its exact name (then the id is added). Relations take
a key or an exact name. Every key and value is checked against the server's
field definitions before anything is written; errors are reported as
``file:line: reason`` and exit with status 2. A second run prints "no changes".
"""

import argparse
import ast
import datetime
import difflib
import getpass
import os
import re
import sys
from dataclasses import dataclass, field
from urllib.parse import urlparse

from . import yamlsrc
from .yamlsrc import Mapping, Sequence, SourceError

NAMESPACE = "__configure__"
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
IGNORED_FIELDS = {
    "id",
    "display_name",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
    "__last_update",
}
SUPPORTED_TYPES = {
    "char",
    "text",
    "html",
    "integer",
    "float",
    "monetary",
    "boolean",
    "selection",
    "many2one",
    "many2many",
    "date",
    "datetime",
}


@dataclass
class Section:
    """A list of records of one model, matched by key."""

    name: str
    model: str
    required: tuple = ()
    create_defaults: dict = field(default_factory=dict)


SECTIONS = [
    Section("sla_tiers", "support.sla.tier"),
    Section("certification_levels", "support.certification.level"),
    Section("charge_rules", "support.charge.rule"),
    Section(
        "point_packs",
        "product.template",
        required=("name", "support_points", "list_price"),
        create_defaults={"type": "service"},
    ),
]
SINGLETONS = {"company": "res.company"}
ORDER = [s.name for s in SECTIONS] + list(SINGLETONS)


class ConfigError(Exception):
    """Several SourceErrors found while validating a file."""

    def __init__(self, errors):
        errors = sorted(errors, key=lambda e: e.line)
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Ref:
    """A reference to another record, by key or name, resolved later."""

    model: str
    text: str
    line: int
    res_id: object = None  # int, or a Planned record created by this run

    def __repr__(self):
        return self.text


REF_IN_TEXT = re.compile(r"""ref\(['"]([A-Za-z0-9_]+\.[A-Za-z0-9_]+)['"]\)""")


@dataclass
class Template:
    """Text with ``ref('module.name')`` placeholders, e.g. a domain naming records."""

    text: str
    refs: list

    def render(self):
        ids = iter(self.refs)
        return REF_IN_TEXT.sub(lambda _m: str(_ref_id(next(ids))), self.text)

    def __repr__(self):
        return repr(self.render()) if all(r.res_id for r in self.refs) else self.text


@dataclass
class Planned:
    """A record this run will create."""

    section: str
    model: str
    key: str
    line: int
    res_id: int = 0


@dataclass
class Change:
    """One create, update or external-id binding to apply."""

    section: str
    model: str
    label: str
    action: str  # create | update | bind
    line: int
    res_id: int = 0
    vals: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)
    xmlid: str = ""
    planned: Planned = None


class Rpc:
    """A thin layer over odoorpc's execute_kw."""

    def __init__(self, odoo):
        self.odoo = odoo

    @property
    def uid(self):
        return self.odoo.env.uid

    def call(self, model, method, *args, **kwargs):
        return self.odoo.execute_kw(model, method, list(args), kwargs)


def connect(url, db, login, password):
    """Log in with odoorpc and return an Rpc."""
    import odoorpc

    parsed = urlparse(url if "://" in url else f"http://{url}")
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 80)
    odoo = odoorpc.ODOO(
        parsed.hostname,
        protocol="jsonrpc+ssl" if ssl else "jsonrpc",
        port=port,
        timeout=600,
    )
    odoo.login(db, login, password)
    return Rpc(odoo)


class Planner:
    """Validate a parsed file against the server and compute the changes."""

    def __init__(self, rpc, path, data):
        self.rpc, self.path, self.data = rpc, path, data
        self.errors = []
        self.fields = {}
        self.planned = {}  # (model, key) -> Planned
        self.changes = []

    # -- helpers -----------------------------------------------------------
    def error(self, line, reason):
        self.errors.append(SourceError(self.path, line, reason))

    def model_fields(self, model):
        if model not in self.fields:
            try:
                self.fields[model] = self.rpc.call(
                    model,
                    "fields_get",
                    attributes=[
                        "type",
                        "string",
                        "readonly",
                        "required",
                        "relation",
                        "selection",
                    ],
                )
            except Exception:  # noqa: BLE001 - any RPC failure means "not there"
                self.fields[model] = None
        return self.fields[model]

    def xmlids(self, names):
        """{'module.name': (model, res_id)} for the given external ids."""
        found = {}
        by_module = {}
        for xmlid in names:
            module, name = xmlid.split(".", 1)
            by_module.setdefault(module, set()).add(name)
        for module, ids in by_module.items():
            for row in self.rpc.call(
                "ir.model.data",
                "search_read",
                [("module", "=", module), ("name", "in", sorted(ids))],
                fields=["name", "model", "res_id"],
            ):
                found[f"{module}.{row['name']}"] = (row["model"], row["res_id"])
        return found

    @staticmethod
    def full_xmlid(key):
        return key if "." in key else f"{NAMESPACE}.{key}"

    # -- value checks ------------------------------------------------------
    def check_value(self, model, fname, value, line):
        """Return the value ready for comparison, or raise ValueError(reason)."""
        desc = self.fields[model][fname]
        ftype = desc["type"]
        if ftype not in SUPPORTED_TYPES:
            raise ValueError(f"{fname}: fields of type {ftype} cannot be configured")
        if desc.get("readonly"):
            raise ValueError(f"{fname} is read-only (computed by Odoo)")
        if value is None:
            if desc.get("required"):
                raise ValueError(f"{fname} is required and cannot be empty")
            return False
        if ftype in ("many2one", "many2many", "date", "datetime"):
            return _check_relational_or_date(desc, fname, value, line)
        value = _check_scalar(desc, fname, value)
        if fname.endswith("domain") and isinstance(value, str):
            _check_domain(fname, value)
        if isinstance(value, str) and REF_IN_TEXT.search(value):
            refs = [Ref(None, m, line) for m in REF_IN_TEXT.findall(value)]
            return Template(value, refs)
        return value

    def check_fields(self, model, item, what, skip=("key",)):
        """Validate every key of ``item``; return {field: checked value}."""
        fields = self.fields[model]
        wanted = {}
        for fname, value in item.items():
            if fname in skip:
                continue
            line = item.line_of(fname)
            if fname not in fields or fname in IGNORED_FIELDS:
                close = difflib.get_close_matches(fname, list(fields), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(line, f"unknown key {fname!r} for {what} ({model}){hint}")
                continue
            try:
                wanted[fname] = self.check_value(model, fname, value, line)
            except ValueError as exc:
                self.error(line, str(exc))
        return wanted

    # -- planning ----------------------------------------------------------
    def plan(self):
        data = self.data
        if not isinstance(data, Mapping):
            raise ConfigError(
                [SourceError(self.path, 1, "the file must be a mapping of sections")]
            )
        for name in data:
            if name not in ORDER:
                close = difflib.get_close_matches(name, ORDER, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(
                    data.line_of(name),
                    f"unknown section {name!r}{hint}; sections: {', '.join(ORDER)}",
                )
        items_by_section = {}
        for section in SECTIONS:
            if section.name in data:
                items_by_section[section.name] = self.collect(section)
        singletons = {}
        for name, model in SINGLETONS.items():
            if name in data:
                singletons[name] = self.collect_singleton(name, model)
        if self.errors:
            raise ConfigError(self.errors)
        self.match_records(items_by_section)
        self.resolve_refs(items_by_section, singletons)
        if self.errors:
            raise ConfigError(self.errors)
        for section in SECTIONS:
            for entry in items_by_section.get(section.name, []):
                self.diff_record(section, entry)
        for name, entry in singletons.items():
            self.diff_singleton(name, entry)
        if self.errors:
            raise ConfigError(self.errors)
        return self.changes

    def collect(self, section):
        items = self.data[section.name]
        line = self.data.line_of(section.name)
        if items is None:
            return []
        if not isinstance(items, Sequence):
            self.error(line, f"{section.name} must be a list of records")
            return []
        if self.model_fields(section.model) is None:
            self.error(
                line,
                f"{section.name}: model {section.model} is not installed on the server",
            )
            return []
        entries, seen = [], {}
        for index, item in enumerate(items):
            item_line = items.line_of(index)
            if not isinstance(item, Mapping):
                self.error(
                    item_line,
                    f"{section.name} entries must be mappings of field: value",
                )
                continue
            key = item.get("key")
            if not isinstance(key, str) or not KEY_RE.match(key):
                self.error(
                    item.line_of("key"),
                    "each record needs a key: letters, digits and underscores, "
                    "optionally module.name for an existing external id",
                )
                continue
            if key in seen:
                self.error(
                    item.line_of("key"),
                    f"duplicate key {key!r} (first at line {seen[key]})",
                )
                continue
            seen[key] = item.line_of("key")
            wanted = self.check_fields(section.model, item, section.name)
            entries.append(
                {"key": key, "item": item, "wanted": wanted, "line": item_line}
            )
        return entries

    def collect_singleton(self, name, model):
        item = self.data[name]
        line = self.data.line_of(name)
        if not isinstance(item, Mapping):
            self.error(line, f"{name} must be a mapping of field: value")
            return None
        if self.model_fields(model) is None:
            self.error(line, f"{name}: model {model} is not available on the server")
            return None
        return {
            "item": item,
            "wanted": self.check_fields(model, item, name, skip=()),
            "line": line,
        }

    def match_records(self, items_by_section):
        keys = [
            self.full_xmlid(e["key"])
            for entries in items_by_section.values()
            for e in entries
        ]
        found = self.xmlids(keys) if keys else {}
        for section in SECTIONS:
            for entry in items_by_section.get(section.name, []):
                xmlid = self.full_xmlid(entry["key"])
                entry["xmlid"] = xmlid
                if xmlid in found:
                    model, res_id = found[xmlid]
                    if model != section.model:
                        self.error(
                            entry["item"].line_of("key"),
                            f"key {entry['key']!r} names a {model}, "
                            f"not a {section.model}",
                        )
                    entry["res_id"], entry["bind"] = res_id, False
                    continue
                if "." in entry["key"]:
                    self.error(
                        entry["item"].line_of("key"),
                        f"no record has the external id {entry['key']!r}; "
                        "use a key without a dot to create a new record",
                    )
                    continue
                name = entry["wanted"].get("name")
                res_id = 0
                if isinstance(name, str) and "name" in self.fields[section.model]:
                    ids = self.rpc.call(
                        section.model, "search", [("name", "=", name)], limit=2
                    )
                    if len(ids) == 1 and not self.xmlids_of(section.model, ids[0]):
                        res_id = ids[0]
                entry["res_id"], entry["bind"] = res_id, bool(res_id)
                if not res_id:
                    planned = Planned(
                        section.name, section.model, entry["key"], entry["line"]
                    )
                    entry["planned"] = planned
                    missing = [
                        f
                        for f in section.required
                        if f not in entry["wanted"] and f in self.fields[section.model]
                    ]
                    missing += self.missing_required(section.model, entry["wanted"])
                    for fname in dict.fromkeys(missing):
                        self.error(
                            entry["line"],
                            f"new {section.name} record {entry['key']!r} needs {fname}",
                        )
                self.planned[(section.model, entry["key"])] = entry

    def xmlids_of(self, model, res_id):
        return self.rpc.call(
            "ir.model.data",
            "search",
            [
                ("model", "=", model),
                ("res_id", "=", res_id),
                ("module", "=", NAMESPACE),
            ],
        )

    def missing_required(self, model, wanted):
        fields = self.fields[model]
        required = [
            f
            for f, d in fields.items()
            if d.get("required")
            and not d.get("readonly")
            and d["type"] not in ("many2one", "one2many", "many2many", "boolean")
            and f not in wanted
            and f not in IGNORED_FIELDS
        ]
        if not required:
            return []
        try:
            defaults = self.rpc.call(model, "default_get", required)
        except Exception:  # noqa: BLE001 - overrides without @api.model want ids
            defaults = self.rpc.call(model, "default_get", [], required)
        return [f for f in required if f not in defaults]

    def resolve_refs(self, items_by_section, singletons):
        refs = []
        for entries in items_by_section.values():
            for entry in entries:
                refs.extend(_refs_in(entry["wanted"]))
        for entry in singletons.values():
            if entry:
                refs.extend(_refs_in(entry["wanted"]))
        dotted = {r.text for r in refs if "." in r.text}
        bare = {f"{NAMESPACE}.{r.text}" for r in refs if "." not in r.text}
        found = self.xmlids(dotted | bare) if refs else {}
        for ref in refs:
            if ref.model is None:  # ref('module.name') inside a text
                hit = found.get(ref.text)
                if hit:
                    ref.res_id = hit[1]
                else:
                    self.error(ref.line, f"unknown reference ref({ref.text!r})")
                continue
            planned = self.planned.get((ref.model, ref.text))
            if planned is not None:
                ref.res_id = planned.get("res_id") or planned["planned"]
                continue
            hit = found.get(ref.text) or found.get(f"{NAMESPACE}.{ref.text}")
            if hit and hit[0] == ref.model:
                ref.res_id = hit[1]
                continue
            ids = []
            if "name" in (self.model_fields(ref.model) or {}):
                ids = self.rpc.call(
                    ref.model, "search", [("name", "=", ref.text)], limit=2
                )
            if len(ids) == 1:
                ref.res_id = ids[0]
            elif ids:
                self.error(
                    ref.line,
                    f"{ref.text!r} matches several {ref.model} records; use a key",
                )
            else:
                self.error(
                    ref.line,
                    f"unknown reference {ref.text!r}: "
                    f"no {ref.model} has that key or name",
                )

    def read_current(self, model, res_id, fnames):
        rows = self.rpc.call(model, "read", [res_id], fnames)
        return rows[0] if rows else None

    def diff_record(self, section, entry):
        label = entry["key"]
        wanted = entry["wanted"]
        if entry.get("planned"):
            vals = dict(section.create_defaults)
            vals = {k: v for k, v in vals.items() if k in self.fields[section.model]}
            vals.update(wanted)
            self.changes.append(
                Change(
                    section.name,
                    section.model,
                    label,
                    "create",
                    entry["line"],
                    vals=vals,
                    xmlid=entry["xmlid"],
                    planned=entry["planned"],
                )
            )
            return
        current = self.read_current(section.model, entry["res_id"], list(wanted))
        if current is None:
            self.error(entry["line"], f"{label}: record {entry['res_id']} vanished")
            return
        vals, before = _differences(self.fields[section.model], wanted, current)
        if entry.get("bind"):
            self.changes.append(
                Change(
                    section.name,
                    section.model,
                    label,
                    "bind",
                    entry["line"],
                    res_id=entry["res_id"],
                    xmlid=entry["xmlid"],
                )
            )
        if vals:
            self.changes.append(
                Change(
                    section.name,
                    section.model,
                    label,
                    "update",
                    entry["line"],
                    res_id=entry["res_id"],
                    vals=vals,
                    before=before,
                )
            )

    def diff_singleton(self, name, entry):
        if entry is None:
            return
        model = SINGLETONS[name]
        res_id = 0
        label = name
        if model == "res.company":
            user = self.rpc.call("res.users", "read", [self.rpc.uid], ["company_id"])[0]
            res_id, label = user["company_id"][0], user["company_id"][1]
        wanted = entry["wanted"]
        current = self.read_current(model, res_id, list(wanted))
        vals, before = _differences(self.fields[model], wanted, current)
        if vals:
            self.changes.append(
                Change(
                    name,
                    model,
                    label,
                    "update",
                    entry["line"],
                    res_id=res_id,
                    vals=vals,
                    before=before,
                )
            )


def _check_scalar(desc, fname, value):
    ftype = desc["type"]
    if ftype in ("char", "text", "html"):
        if not isinstance(value, str):
            raise ValueError(f"{fname} must be text, not {_kind(value)}")
        return value
    if ftype == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{fname} must be a whole number, not {_kind(value)}")
        return value
    if ftype in ("float", "monetary"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{fname} must be a number, not {_kind(value)}")
        return float(value)
    if ftype == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{fname} must be true or false, not {_kind(value)}")
        return value
    # selection
    allowed = [key for key, _label in desc.get("selection") or []]
    if value not in allowed:
        raise ValueError(
            f"{fname} must be one of {', '.join(map(str, allowed))}; got {value!r}"
        )
    return value


def _check_domain(fname, value):
    """A domain must be a Python list literal (ids may be written ref('x.y'))."""
    try:
        domain = ast.literal_eval(REF_IN_TEXT.sub("0", value))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        domain = None
    if not isinstance(domain, list):
        raise ValueError(f"{fname} must be a domain such as [('channel_id', '=', 1)]")


def _check_relational_or_date(desc, fname, value, line):
    ftype = desc["type"]
    if ftype == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d$", value):
            return value
        raise ValueError(f"{fname} must be a date (YYYY-MM-DD)")
    if ftype == "datetime":
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        raise ValueError(f"{fname} must be a date and time (YYYY-MM-DD HH:MM:SS)")
    if ftype == "many2one":
        if not isinstance(value, str):
            raise ValueError(f"{fname} must be a key or name of a {desc['relation']}")
        return Ref(desc["relation"], value, line)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{fname} must be a list of keys or names")
    return [Ref(desc["relation"], v, line) for v in value]


def _kind(value):
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _refs_in(wanted):
    for value in wanted.values():
        if isinstance(value, Ref):
            yield value
        elif isinstance(value, Template):
            yield from value.refs
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, Ref))


def _ref_id(ref):
    return ref.res_id.res_id if isinstance(ref.res_id, Planned) else ref.res_id


def _differences(fields, wanted, current):
    """The wanted values that differ from the record's current values."""
    vals, before = {}, {}
    for fname, value in wanted.items():
        ftype = fields[fname]["type"]
        now = current.get(fname)
        if ftype == "many2one":
            now_id = now[0] if isinstance(now, (list, tuple)) else (now or False)
            same = (
                isinstance(value, Ref)
                and now_id == _ref_id(value)
                or (value is False and not now_id)
            )
            shown = now[1] if isinstance(now, (list, tuple)) else now
        elif ftype == "many2many":
            value = value or []
            if any(isinstance(r.res_id, Planned) for r in value):
                same = False
            else:
                same = sorted(_ref_id(r) for r in value) == sorted(now or [])
            shown = sorted(now or [])
        elif ftype in ("float", "monetary"):
            same = now is not False and abs((now or 0.0) - (value or 0.0)) < 1e-6
            shown = now
        elif ftype in ("char", "text", "html"):
            same = _same_text(
                now, value.render() if isinstance(value, Template) else value
            )
            shown = now
        else:
            same = now == value
            shown = now
        if not same:
            vals[fname] = value
            before[fname] = shown
    return vals, before


def _same_text(now, value):
    """Equal texts; literals (domains) compare by value, not by spelling."""
    if (now or False) == (value or False):
        return True
    try:
        return ast.literal_eval(now) == ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _rpc_value(value):
    if isinstance(value, Template):
        return value.render()
    if isinstance(value, Ref):
        return _ref_id(value)
    if isinstance(value, list):
        return [(6, 0, [_rpc_value(v) for v in value])]
    return value


def describe(changes):
    """Human-readable diff lines."""
    if not changes:
        return ["no changes"]
    lines = []
    for change in changes:
        where = f"{change.section} {change.label}"
        if change.action == "create":
            values = ", ".join(f"{k}={v!r}" for k, v in change.vals.items())
            lines.append(f"+ {where}: create {change.model} ({values})")
        elif change.action == "bind":
            lines.append(
                f"= {where}: adopt existing {change.model} #{change.res_id} "
                f"as {change.xmlid}"
            )
        else:
            for fname, value in change.vals.items():
                lines.append(
                    f"~ {where}: {fname}: {change.before.get(fname)!r} -> {value!r}"
                )
    return lines


def apply(rpc, changes):
    """Write the changes in order (creates bind their key as an external id)."""
    for change in changes:
        vals = {k: _rpc_value(v) for k, v in change.vals.items()}
        if change.action == "create":
            change.res_id = rpc.call(change.model, "create", vals)
            change.planned.res_id = change.res_id
            bind = True
        elif change.action == "bind":
            bind = True
        else:
            rpc.call(change.model, "write", [change.res_id], vals)
            bind = False
        if bind:
            module, name = change.xmlid.split(".", 1)
            rpc.call(
                "ir.model.data",
                "create",
                {
                    "module": module,
                    "name": name,
                    "model": change.model,
                    "res_id": change.res_id,
                    "noupdate": True,
                },
            )


def build_parser():
    parser = argparse.ArgumentParser(
        prog="setup/configure",
        description="Apply a YAML file of SLA tiers, certification levels, "
        "charge rules, point packs and company settings to a running Odoo over RPC.",
    )
    parser.add_argument("file", help="YAML file, e.g. setup/support-config.yaml")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the changes, write nothing"
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("ODOO_URL", "http://localhost:8069"),
        help="server URL (env ODOO_URL)",
    )
    parser.add_argument(
        "--db", "-d", default=os.environ.get("ODOO_DB"), help="database (env ODOO_DB)"
    )
    parser.add_argument(
        "--login",
        "-u",
        default=os.environ.get("ODOO_LOGIN", "admin"),
        help="login (env ODOO_LOGIN, default admin)",
    )
    parser.epilog = (
        "The password comes from the environment variable ODOO_PASSWORD, "
        "else it is asked for; it is never taken from the command line."
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        data = yamlsrc.load(args.file)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.db:
        print("error: no database: pass --db or set ODOO_DB", file=sys.stderr)
        return 2
    password = os.environ.get("ODOO_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            print(
                "error: set ODOO_PASSWORD (no terminal to ask for the password)",
                file=sys.stderr,
            )
            return 2
        password = getpass.getpass(f"Password for {args.login} on {args.db}: ")
    try:
        rpc = connect(args.url, args.db, args.login, password)
    except Exception as exc:  # noqa: BLE001 - report any connection failure plainly
        print(
            f"error: cannot log in to {args.url} database {args.db} "
            f"as {args.login}: {exc}",
            file=sys.stderr,
        )
        return 1
    try:
        changes = Planner(rpc, args.file, data).plan()
    except ConfigError as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing was written.", file=sys.stderr)
        return 2
    for line in describe(changes):
        print(line)
    if args.dry_run or not changes:
        if changes:
            print(f"dry run: {len(changes)} change(s) not applied.")
        return 0
    try:
        apply(rpc, changes)
    except Exception as exc:  # noqa: BLE001 - the server's message is the useful part
        print(f"error: the server refused a change: {exc}", file=sys.stderr)
        return 1
    print(f"applied {len(changes)} change(s).")
    return 0
