"""setup/configure against a real server: diff, apply, idempotence, rejections."""

import os
import subprocess
import sys
import textwrap

import pytest

SETUP = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "setup"
)
ADMIN_PASSWORD = "admin"
CONFIGURE = os.path.join(SETUP, "configure")
SAMPLE = os.path.join(SETUP, "support-config.yaml")

# new records in every section, referring to each other by key
GOOD = """\
company:
  support_points_low_threshold: 3
sla_tiers:
  - key: e2e_platinum
    name: E2E Platinum
    response_hours: 0.5
    resolution_hours: 4
    calendar_id: Standard 40 hours/week
certification_levels:
  - key: e2e_master
    name: E2E Master
    tier_id: e2e_platinum
    validity_months: 36
point_packs:
  - key: e2e_pack_25
    name: E2E 25 service points
    support_points: 25
    list_price: 1125.0
"""

PACK = "  - key: bad_pack_b\n    name: B\n    support_points: 5\n    list_price: 10\n"
# (what is wrong, a point pack appended to GOOD, its line of the error, the reason)
BAD = [
    ("unknown key", PACK + "    list_prise: 10\n", 5, "unknown key 'list_prise'"),
    (
        "wrong type",
        PACK.replace("support_points: 5", "support_points: many"),
        3,
        "support_points must be a whole number, not the text 'many'",
    ),
    ("unknown selection value", PACK + "    type: gizmo\n", 5, "type must be one of"),
    (
        "unknown reference",
        PACK + "    categ_id: No Such Category\n",
        5,
        "unknown reference 'No Such Category'",
    ),
]


def run_configure(server, path, *args, password=ADMIN_PASSWORD):
    env = dict(os.environ, ODOO_PASSWORD=password)
    return subprocess.run(
        [
            sys.executable,
            CONFIGURE,
            str(path),
            "--url",
            server.url,
            "--db",
            server.db,
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def snapshot(odoo):
    """Everything configure may write: ids and write dates of the configured models."""
    state = {}
    for model in (
        "support.sla.tier",
        "support.certification.level",
        "support.charge.rule",
        "product.template",
        "res.company",
        "ir.model.data",
    ):
        if model not in odoo.env:
            continue
        rows = odoo.execute_kw(
            model,
            "search_read",
            [[]],
            {"fields": ["write_date"], "context": {"active_test": False}},
        )
        state[model] = sorted((r["id"], r["write_date"]) for r in rows)
    return state


@pytest.fixture(scope="module")
def server(odoo_server):
    return odoo_server(workers=0)


@pytest.fixture(scope="module")
def odoo(server):
    return server.rpc()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_reproduces_the_shipped_defaults(server, odoo):
    before = snapshot(odoo)
    result = run_configure(server, SAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no changes", result.stdout
    assert snapshot(odoo) == before


def test_dry_run_then_apply_then_no_changes(server, odoo, tmp_path):
    path = write(tmp_path, "good.yaml", GOOD)
    before = snapshot(odoo)

    dry = run_configure(server, path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+ sla_tiers e2e_platinum: create support.sla.tier" in dry.stdout
    assert "+ point_packs e2e_pack_25: create product.template" in dry.stdout
    assert "~ company" in dry.stdout and "support_points_low_threshold" in dry.stdout
    assert snapshot(odoo) == before, "--dry-run wrote to the database"

    applied = run_configure(server, path)
    assert applied.returncode == 0, applied.stderr
    assert "applied" in applied.stdout

    tier_id = odoo.env.ref("__configure__.e2e_platinum").id
    tier = odoo.execute_kw(
        "support.sla.tier", "read", [[tier_id], ["name", "response_hours"]]
    )[0]
    assert (tier["name"], tier["response_hours"]) == ("E2E Platinum", 0.5)
    level = odoo.env.ref("__configure__.e2e_master")
    assert level.tier_id.id == tier_id
    pack = odoo.env.ref("__configure__.e2e_pack_25")
    assert (pack.support_points, pack.list_price) == (25, 1125.0)
    assert odoo.env.user.company_id.support_points_low_threshold == 3

    after_first = snapshot(odoo)
    again = run_configure(server, path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "no changes"
    assert snapshot(odoo) == after_first


def test_dry_run_prints_the_diff_and_writes_nothing(server, odoo, tmp_path):
    assert run_configure(server, write(tmp_path, "good.yaml", GOOD)).returncode == 0
    changed = GOOD.replace("response_hours: 0.5", "response_hours: 2").replace(
        "support_points: 25", "support_points: 30"
    )
    before = snapshot(odoo)
    dry = run_configure(server, write(tmp_path, "changed.yaml", changed), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "~ sla_tiers e2e_platinum: response_hours: 0.5 -> 2.0" in dry.stdout
    assert "~ point_packs e2e_pack_25: support_points: 25 -> 30" in dry.stdout
    assert "dry run: 2 change(s) not applied." in dry.stdout
    assert snapshot(odoo) == before


@pytest.mark.parametrize(
    "extra, line, reason", [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_file_is_rejected_with_its_line(
    server, odoo, tmp_path, extra, line, reason
):
    # GOOD alone would create records: the error further down must stop all of it
    good_but_new = GOOD.replace("e2e_", "bad_").replace("E2E", "Bad")
    path = write(tmp_path, "bad.yaml", good_but_new + extra)
    line += good_but_new.count("\n")
    before = snapshot(odoo)
    result = run_configure(server, path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}:{line}: " in result.stderr, result.stderr
    assert reason in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(odoo) == before


@pytest.mark.parametrize(
    "text, line, reason",
    [
        (
            "sla_tiers:\n  - key: t1\n    name: T\n    tier_id: nope\n",
            4,
            "unknown key 'tier_id'",
        ),
        (
            "certification_levels:\n  - key: l1\n    name: L\n"
            "    tier_id: no_such_tier\n",
            4,
            "unknown reference 'no_such_tier'",
        ),
        (
            "sla_tiers:\n  - key: t1\n    name: T\n    name: U\n",
            4,
            "duplicate key 'name' (first at line 3)",
        ),
        ("sla_tier:\n  - key: t1\n", 1, "unknown section 'sla_tier'"),
        (
            "charge_rules:\n  - key: r1\n    name: R\n    ticket_domain: '[(1, '\n",
            4,
            "ticket_domain must be a domain",
        ),
        (
            "charge_rules:\n  - key: r1\n    name: R\n"
            "    ticket_domain: \"[('channel_id', '=', ref('helpdesk_mgmt.nope'))]\"\n",
            4,
            "unknown reference ref('helpdesk_mgmt.nope')",
        ),
        ("sla_tiers:\n  - key: [unclosed\n", 3, "invalid YAML"),
        ("sla_tiers:\n  - name: No key\n", 2, "each record needs a key"),
        (
            "sla_tiers:\n  - key: support_certification.no_such_tier\n",
            2,
            "no record has the external id",
        ),
        (
            "point_packs:\n  - key: p1\n    name: P\n    list_price: 10\n",
            2,
            "needs support_points",
        ),
    ],
    ids=[
        "key of another model",
        "unknown reference",
        "duplicate key",
        "unknown section",
        "bad domain",
        "unknown ref in a domain",
        "syntax error",
        "missing key",
        "unknown external id",
        "missing required",
    ],
)
def test_invalid_file_is_rejected(server, odoo, tmp_path, text, line, reason):
    path = write(tmp_path, "invalid.yaml", textwrap.dedent(text))
    before = snapshot(odoo)
    result = run_configure(server, path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}:{line}: " in result.stderr and reason in result.stderr, (
        result.stderr
    )
    assert snapshot(odoo) == before


def test_wrong_password_is_refused(server, tmp_path):
    result = run_configure(server, write(tmp_path, "good.yaml", GOOD), password="wrong")
    assert result.returncode == 1
    assert "cannot log in" in result.stderr
