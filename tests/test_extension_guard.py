"""Our add-ons extend Odoo only where Odoo and OCA mean it to be extended.

A static check of the add-ons' source (their tests excepted), so that none of
these comes back unnoticed:

- patching another module's classes or functions at runtime (a
  ``_register_hook`` override, ``setattr``, assigning an attribute of an
  imported module or class);
- SQL ``INSERT``/``UPDATE``/``DELETE`` into a table our add-ons do not own;
- overriding an ORM internal (``search_fetch``, ``_compute_field_value``...)
  or a method of ``base_automation``, ``mail`` or ``mass_mailing`` models
  that Odoo does not document for extension;
- depending on private ORM internals (``env.cache``, ``Field._modules``,
  ``lazy_property``) or process-global caches (``functools.lru_cache``,
  ``odoo.tools.lru``);
- overwriting another module's data record (an xml id of another module in
  our data files).

Each allowed exception is listed below with the reason it is allowed.
"""

import ast
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

REPO = Path(__file__).resolve().parents[1]
ADDONS_DIR = REPO / "addons"
ADDONS = sorted(p.parent.name for p in ADDONS_DIR.glob("*/__manifest__.py"))


def addon_python_files():
    """(addon, path) of every Python file of the add-ons, tests excepted:
    tests may prepare data with SQL (back-dating a row, say)."""
    for addon in ADDONS:
        for path in sorted((ADDONS_DIR / addon).rglob("*.py")):
            if "tests" not in path.relative_to(ADDONS_DIR / addon).parts:
                yield addon, path


def addon_xml_files():
    for addon in ADDONS:
        for path in sorted((ADDONS_DIR / addon).rglob("*.xml")):
            if "static" not in path.relative_to(ADDONS_DIR / addon).parts:
                yield addon, path


def rel(path):
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name


# ---------------------------------------------------------------------------
# The tables our add-ons own
# ---------------------------------------------------------------------------


def _const(node):
    return node.value if isinstance(node, ast.Constant) else None


def _class_assign(cls, name):
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    return stmt.value
    return None


def _inherits(cls):
    value = _class_assign(cls, "_inherit")
    if value is None:
        return []
    if isinstance(value, ast.List | ast.Tuple):
        return [_const(elt) for elt in value.elts if _const(elt)]
    return [_const(value)] if _const(value) else []


def own_tables():
    """Tables of the models our add-ons define (``_name``, ``_table``) and of
    the many2many relations they declare (``relation=``), plus the default
    relation tables Odoo names after one of our models' tables."""
    tables = set()
    for _addon, path in addon_python_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                name = _const(_class_assign(node, "_name") or ast.Constant(None))
                table = _const(_class_assign(node, "_table") or ast.Constant(None))
                if name:
                    tables.add(table or name.replace(".", "_"))
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "relation" and _const(keyword.value):
                        tables.add(_const(keyword.value))
    return tables


def is_own_table(table, tables):
    if table in tables:
        return True
    # a many2many without relation=: Odoo names it <table1>_<table2>_rel
    return table.endswith("_rel") and any(table.startswith(t + "_") for t in tables)


# ---------------------------------------------------------------------------
# Python checks
# ---------------------------------------------------------------------------

SQL_WRITE = re.compile(
    r"\bINSERT\s+INTO\s+\"?(?P<insert>\w+)"
    r"|\bDELETE\s+FROM\s+\"?(?P<delete>\w+)"
    # not the lock (FOR [NO KEY] UPDATE) nor the upsert's DO UPDATE SET
    r"|(?<!FOR )(?<!KEY )(?<!DO )\bUPDATE\s+(?!SET\b)\"?(?P<update>\w+)"
)

# ORM internals a model must not override: the ORM's own machinery, not
# business methods (Odoo documents create/write/unlink/copy, computes,
# constraints, onchanges, name_search, default_get... for that).
ORM_INTERNALS = {
    "__init__",
    "__new__",
    "_add_field",
    "_auto_init",
    "_build_model",
    "_compute_field_value",
    "_fetch_field",
    "_fetch_query",
    "_flush",
    "_flush_search",
    "_in_cache_without",
    "_prepare_setup",
    "_read_format",
    "_register_hook",
    "_setup_base",
    "_setup_complete",
    "_setup_fields",
    "_update_cache",
    "_validate_fields",
    "fetch",
    "flush_model",
    "flush_recordset",
    "invalidate_model",
    "invalidate_recordset",
    "modified",
    "search_fetch",
}

# Models of base_automation, mail and mass_mailing whose methods we may
# extend only through what Odoo documents for it: the CRUD methods, public
# actions, computes (calling super) and the hooks named here.
PROTECTED_MODELS = {
    "base.automation": {"_get_eval_context"},
    "ir.actions.server": set(),
    "ir.cron": set(),
    "mail.compose.message": set(),
    "mail.mail": set(),
    "mail.message": set(),
    "mail.thread": set(),
    "mailing.mailing": set(),
    "mailing.trace": set(),
}
DOCUMENTED_METHODS = {"create", "write", "unlink", "copy", "default_get"}


def _documented(method):
    return (
        method in DOCUMENTED_METHODS
        or method.startswith("action_")
        or method.startswith("_compute_")
    )


PRIVATE_ATTRIBUTES = {
    "_modules": "Field._modules is private to the ORM's registry setup",
    "get_missing_ids": "the environment cache is private to the ORM",
    "reset_all": "lazy_property is private to the ORM",
}
PROCESS_CACHE = "a process-global cache outlives the transaction's data"
# (module, name) pairs whose import or use is reported
PRIVATE_IMPORTS = {
    ("odoo.tools", "lazy_property"): "lazy_property is private to the ORM",
    ("odoo.tools.func", "lazy_property"): "lazy_property is private to the ORM",
    ("functools", "lru_cache"): PROCESS_CACHE,
    ("functools", "cache"): PROCESS_CACHE,
    ("odoo.tools.lru", "LRU"): PROCESS_CACHE,
    ("odoo.tools", "lru"): PROCESS_CACHE,
}


def _docstrings(tree):
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        )
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _check_import(node, imported):
    module = getattr(node, "module", None) or ""
    for alias in node.names:
        imported.add((alias.asname or alias.name).split(".")[0])
        if (module, alias.name) in PRIVATE_IMPORTS:
            yield PRIVATE_IMPORTS[module, alias.name]


def _check_sql(node, tables):
    """SQL writes into tables that are not ours."""
    for match in SQL_WRITE.finditer(node.value):
        table = match.group("insert") or match.group("delete")
        table = table or match.group("update")
        if not is_own_table(table, tables):
            yield f"SQL write into {table}, a table we do not own"


def _check_attribute(node):
    """Private ORM internals and process-global caches."""
    if node.attr in PRIVATE_ATTRIBUTES:
        yield PRIVATE_ATTRIBUTES[node.attr]
    if (
        node.attr == "cache"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "env"
    ):
        yield "env.cache is private to the ORM"
    if isinstance(node.value, ast.Name) and (
        (node.value.id, node.attr) in PRIVATE_IMPORTS
    ):
        yield PRIVATE_IMPORTS[node.value.id, node.attr]


def _check_patch(node, imported):
    """Runtime patching: setattr(), or assigning an attribute of an imported
    module or class."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "setattr":
            yield "setattr() at runtime: patching a class or function"
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in imported
        ):
            yield f"assigns {target.value.id}.{target.attr} at runtime"


def _check_class(node):
    """Overrides of ORM internals, and of protected models' undocumented
    methods."""
    name = _const(_class_assign(node, "_name") or ast.Constant(None))
    inherits = _inherits(node)
    if not (name or inherits):
        return  # not an Odoo model
    methods = [
        stmt.name
        for stmt in node.body
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    for method in methods:
        if method in ORM_INTERNALS:
            yield f"{node.name} overrides the ORM internal {method}"
    # a new model (its own _name) using a mixin such as mail.thread defines
    # its own methods and the mixin's hooks, made for that
    extended = inherits if not name or name in inherits else []
    for model in extended:
        allowed = PROTECTED_MODELS.get(model)
        if allowed is None:
            continue
        for method in methods:
            if not (_documented(method) or method in allowed):
                yield (
                    f"{node.name} overrides {model}.{method}, which Odoo "
                    "does not document for extension"
                )


def python_violations(path, tables):
    tree = ast.parse(path.read_text(), str(path))
    docstrings = _docstrings(tree)
    imported = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            problems = _check_import(node, imported)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            problems = _check_sql(node, tables) if id(node) not in docstrings else ()
        elif isinstance(node, ast.Attribute):
            problems = _check_attribute(node)
        elif isinstance(node, ast.Call | ast.Assign | ast.AugAssign):
            problems = _check_patch(node, imported)
        elif isinstance(node, ast.ClassDef):
            problems = _check_class(node)
        else:
            continue
        found += [f"{rel(path)}:{node.lineno}: {what}" for what in problems]
    return found


# ---------------------------------------------------------------------------
# XML checks
# ---------------------------------------------------------------------------

ADDITIVE_EVAL = re.compile(
    r"^\s*\[\s*(?:(?:Command\.link\(|\(\s*4\s*,)[^\]]*?\)\s*,?\s*)+\]\s*$"
)


def _is_additive(record):
    """A record of another module whose every field only links our own
    records to it (``Command.link``, ``(4, id)``): e.g. a helpdesk role
    implying one of our groups, Odoo's documented way to extend a group. Its
    own values are untouched, and uninstalling our add-on drops the links."""
    fields_ = list(record.iter("field"))
    return bool(fields_) and all(
        field.get("eval") and ADDITIVE_EVAL.match(field.get("eval"))
        for field in fields_
    )


def xml_violations(addon, path):
    found = []
    root = ElementTree.parse(path).getroot()
    for element in root.iter():
        if element.tag not in ("record", "template", "menuitem", "delete"):
            continue
        xmlid = element.get("id") or ""
        if element.tag == "delete":
            found.append(f"{rel(path)}: <delete> of {xmlid or element.get('search')}")
            continue
        if "." not in xmlid:
            continue
        module = xmlid.split(".", 1)[0]
        if module in ADDONS:
            continue
        if element.tag == "record" and _is_additive(element):
            continue
        found.append(
            f'{rel(path)}: <{element.tag} id="{xmlid}"> overwrites a record of {module}'
        )
    return found


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------


def test_the_guard_finds_the_addons():
    assert ADDONS, "no add-on found under addons/"
    tables = own_tables()
    assert "support_points_move" in tables
    assert "customer_letter_recipient" in tables


@pytest.mark.parametrize("addon", ADDONS)
def test_no_runtime_patch_sql_or_internal_override(addon):
    tables = own_tables()
    found = []
    for owner, path in addon_python_files():
        if owner == addon:
            found += python_violations(path, tables)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("addon", ADDONS)
def test_no_other_module_data_record_overwritten(addon):
    found = []
    for owner, path in addon_xml_files():
        if owner == addon:
            found += xml_violations(owner, path)
    assert not found, "\n".join(found)


# The guard itself: each kind of violation, put back in a file, is found.

PATCHES = {
    "register_hook": (
        "from odoo import models\n"
        "class A(models.Model):\n"
        "    _inherit = 'base.automation'\n"
        "    def _register_hook(self):\n"
        "        setattr(self.env.registry['helpdesk.ticket'], 'write', None)\n",
        ["ORM internal _register_hook", "setattr()"],
    ),
    "raw_insert": (
        "from odoo.tools import SQL\n"
        "def f(cr):\n"
        "    cr.execute(SQL('INSERT INTO mail_message (body) VALUES (%s)', 'x'))\n",
        ["SQL write into mail_message"],
    ),
    "own_upsert_is_fine": (
        "def f(cr):\n"
        "    cr.execute('INSERT INTO support_points_balance (partner_id) VALUES (1) '\n"
        "               'ON CONFLICT (partner_id) DO UPDATE SET balance = 1')\n"
        "    cr.execute('SELECT 1 FROM support_points_balance FOR UPDATE')\n",
        [],
    ),
    "search_fetch": (
        "from odoo import models\n"
        "class T(models.Model):\n"
        "    _inherit = 'helpdesk.ticket'\n"
        "    def search_fetch(self, *a):\n"
        "        return [f for f in self._fields.values() if f._modules]\n",
        ["ORM internal search_fetch", "Field._modules"],
    ),
    "env_cache": (
        "def f(self):\n    self.env.cache.update(self, None, [])\n",
        ["env.cache"],
    ),
    "lru": (
        "import functools\n@functools.lru_cache(maxsize=8)\ndef f(x):\n    return x\n",
        ["process-global cache"],
    ),
    "lru_import": (
        "from functools import lru_cache\nfrom odoo.tools.lru import LRU\n"
        "from odoo.tools import lazy_property\n",
        ["process-global cache", "lazy_property"],
    ),
    "mailing_internal": (
        "from odoo import models\n"
        "class M(models.Model):\n"
        "    _inherit = 'mailing.mailing'\n"
        "    def _get_seen_list(self):\n"
        "        return set()\n"
        "    def action_put_in_queue(self):\n"
        "        return super().action_put_in_queue()\n",
        ["mailing.mailing._get_seen_list"],
    ),
    "composer_internal": (
        "from odoo import models\n"
        "class C(models.TransientModel):\n"
        "    _inherit = 'mail.compose.message'\n"
        "    def _get_recipients_data(self, values):\n"
        "        return {}\n",
        ["mail.compose.message._get_recipients_data"],
    ),
    "module_patch": (
        "from odoo.addons.base_automation.models import base_automation\n"
        "base_automation.WRITE_TRIGGERS = ()\n",
        ["assigns base_automation.WRITE_TRIGGERS"],
    ),
}


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_guard_finds_each_kind_of_violation(name, tmp_path):
    source, expected = PATCHES[name]
    path = tmp_path / f"probe_{name}.py"
    path.write_text(source)
    found = python_violations(path, own_tables())
    assert len(found) >= len(expected), found
    for text in expected:
        assert any(text in line for line in found), (text, found)
    if not expected:
        assert not found, found


def test_guard_finds_an_overwritten_data_record(tmp_path):
    path = tmp_path / "probe.xml"
    path.write_text(
        "<odoo>"
        '<record id="helpdesk_mgmt.closed_ticket_template" model="mail.template">'
        '<field name="body_html">x</field></record>'
        '<record id="helpdesk_mgmt.group_helpdesk_manager" model="res.groups">'
        '<field name="implied_ids" eval="[Command.link(ref(\'g\'))]"/></record>'
        "</odoo>"
    )
    found = xml_violations("support_points", path)
    assert len(found) == 1 and "closed_ticket_template" in found[0], found


# ---------------------------------------------------------------------------
# Across add-ons, public methods only
# ---------------------------------------------------------------------------

# Our private methods carry the add-ons' own words in their names; a call to
# one of them from another add-on reaches into that add-on's internals.
OUR_WORDS = re.compile(r"support|sla|letter|certification|points")


def _defined_methods(addon):
    names = set()
    for owner, path in addon_python_files():
        if owner != addon:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    return names


def cross_addon_private_calls(addon):
    own = _defined_methods(addon)
    others = {
        name: other
        for other in ADDONS
        if other != addon
        for name in _defined_methods(other)
        if name.startswith("_") and not name.startswith("__")
    }
    found = []
    for owner, path in addon_python_files():
        if owner != addon:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            ):
                continue
            name = node.func.attr
            if name in others and name not in own and OUR_WORDS.search(name):
                found.append(
                    f"{rel(path)}:{node.lineno}: calls {others[name]}'s private "
                    f"{name}(): make it public and document it in its readme"
                )
    return found


@pytest.mark.parametrize("addon", ADDONS)
def test_only_public_methods_across_addons(addon):
    found = cross_addon_private_calls(addon)
    assert not found, "\n".join(found)
