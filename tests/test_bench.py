"""setup/bench --scale tiny --smoke runs end to end and writes its JSON (not a
timed test)."""

import datetime
import json
import os
import subprocess
import sys

from support_setup.bench import BARE_MODULES, BASE_MODULES
from support_setup.odoo_env import psql

BENCH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "setup", "bench"
)


def test_bench_tiny(scratch_db, odoo_conf, tmp_path):
    template = scratch_db("bench_tpl")
    prefix = f"{os.environ['SUPPORT_TEST_DB']}_bench"
    out = tmp_path / "bench.json"
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        result = subprocess.run(
            [sys.executable, BENCH, "--scale", "tiny", "--smoke", "--runs", "1"]
            + ["-c", odoo_conf, "--db-prefix", prefix]
            + ["--suite-template", template, "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    finally:
        # the baseline databases stay (the next run reuses them); the copies go
        for kind in ("suite", "cron"):
            subprocess.run(["dropdb", "--if-exists", f"{prefix}_{kind}"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    report = json.loads(out.read_text())
    assert report["scale"] == "tiny" and report["smoke"]
    # every database measured was compacted and analysed first (the base
    # one stays: its statistics show the run's VACUUM (FULL, ANALYZE))
    assert set(report["compacted"]) == {
        f"{prefix}_{kind}" for kind in ("base", "bare", "suite", "cron")
    }
    assert all(sizes["after_mb"] > 0 for sizes in report["compacted"].values())
    ((analysed,),) = psql(
        f"{prefix}_base",
        "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s",
        "helpdesk_ticket",
    )
    assert analysed is not None and analysed >= started, (analysed, started)
    rows = {row["key"]: row for row in report["results"]}
    assert set(rows) == {
        "close",
        "ledger",
        "list",
        "create",
        "letter",
        "count",
        "form",
        "cron",
        # the add-ons against the bare helpdesk, for information
        "close_bare",
        "list_bare",
        "create_bare",
    }
    # counting recipients: the form's five segments and the letter's total
    assert rows["count"]["result"] in ("pass", "FAIL"), rows["count"]
    assert rows["count"]["addons"]["queries"] > 0
    assert "letter total" in rows["count"]["note"]
    # the SLA cron's queries per batch, small batches against default ones
    assert rows["cron"]["result"] in ("pass", "FAIL"), rows["cron"]
    assert rows["cron"]["baseline"]["queries"] > 0
    assert rows["cron"]["addons"]["queries"] > 0
    # run again while the cron reports tickets left, as Odoo's cron runner
    assert rows["cron"]["baseline"]["batches_per_run"] > 1, rows["cron"]
    # the ticket form with the expected charge against without it
    assert rows["form"]["result"] in ("pass", "FAIL"), rows["form"]
    assert rows["form"]["addons"]["queries"] > rows["form"]["baseline"]["queries"]
    assert len(rows["form"]["ratios"]) == 1 and rows["form"]["ratio"] > 0
    for key in ("close", "list", "create", "letter"):
        row = rows[key]
        assert row["result"] in ("pass", "FAIL"), row
        assert row["baseline"]["queries"] > 0 and row["addons"]["queries"] > 0
        assert row["ratio"] > 0
        # a smoke run: exactly the runs asked for, one ratio per pair
        assert len(row["ratios"]) == report["params"]["runs"] == 1
    for key in ("close", "list", "create"):
        row = rows[f"{key}_bare"]
        assert row["target"] == row["result"] == "info", row
        assert row["baseline"]["queries"] > 0 and row["ratio"] > 0
        assert "vs bare helpdesk" in row["title"]
    # the letter is queued, then sent by the mass mailing queue cron: one
    # mail per customer on both sides
    letters = report["params"]["letter"]
    assert rows["letter"]["note"] == (
        f"mails queued: baseline {letters}, add-ons {letters}"
    ), rows["letter"]
    # the closes take turns within each run: every side's run is cut into
    # blocks (one close each at this scale, then the final flush), and the
    # sides' runs overlap in time instead of following each other
    closes = report["params"]["close"]
    for base_run, suite_run, bare_run in zip(
        rows["close"]["baseline"]["runs"],
        rows["close"]["addons"]["runs"],
        rows["close_bare"]["baseline"]["runs"],
        strict=True,
    ):
        assert base_run["turns"] == suite_run["turns"] == bare_run["turns"]
        assert base_run["turns"] == closes + 1
        (base_start, base_end), (suite_start, suite_end) = (
            base_run["span"],
            suite_run["span"],
        )
        assert base_start < suite_end and suite_start < base_end, (base_run, suite_run)
    assert all(row["result"] != "ERROR" for row in rows.values()), rows
    # the printed table has a line per scenario
    for row in rows.values():
        assert row["title"] in result.stdout
    check_baselines(prefix)


def check_baselines(prefix):
    """The baseline has the Odoo modules the add-ons depend on and one active
    automation on tickets reaching a closing stage that does nothing; the
    bare helpdesk has helpdesk_mgmt and mass_mailing alone."""
    installed = "SELECT name FROM ir_module_module WHERE state = 'installed'"
    base = {name for (name,) in psql(f"{prefix}_base", installed)}
    assert set(BASE_MODULES) <= base, sorted(base)
    assert {"base_automation", "account", "resource", "product"} <= base
    assert not base & {"support_points", "support_certification", "customer_letters"}
    bare = {name for (name,) in psql(f"{prefix}_bare", installed)}
    assert set(BARE_MODULES) <= bare
    assert not bare & {"account", "base_automation", "support_points"}, sorted(bare)
    automations = psql(
        f"{prefix}_base",
        "SELECT a.trigger, a.filter_domain, f.name, s.state, s.code "
        "FROM base_automation a JOIN ir_model m ON m.id = a.model_id "
        "JOIN ir_act_server s ON s.base_automation_id = a.id "
        "JOIN base_automation_ir_model_fields_rel r "
        "ON r.base_automation_id = a.id "
        "JOIN ir_model_fields f ON f.id = r.ir_model_fields_id "
        "WHERE a.active AND m.model = 'helpdesk.ticket'",
    )
    assert automations == [
        ("on_stage_set", '[("stage_id.closed", "=", True)]', "stage_id", "code", "pass")
    ]
    # the add-ons' own automation has the same trigger and filter
    ((trigger, domain),) = psql(
        os.environ["SUPPORT_TEST_DB"],
        "SELECT a.trigger, a.filter_domain FROM base_automation a "
        "JOIN ir_model_data d ON d.res_id = a.id AND d.model = 'base.automation' "
        "WHERE d.module = 'support_points' "
        "AND d.name = 'automation_ticket_close_charge'",
    )
    assert (trigger, domain) == automations[0][:2]


def test_missing_odoo_config_is_explained(tmp_path):
    """setup/serve writes the virtualenv's odoo.conf; before it has run, the
    benchmark and the seeder say so instead of printing Odoo's usage."""
    missing = tmp_path / "odoo.conf"
    seed = os.path.join(os.path.dirname(BENCH), "seed")
    for command in (
        [BENCH, "--scale", "tiny", "-c", str(missing), "--db-prefix", "nothing"],
        [seed, "-c", str(missing), "-d", "nothing"],
    ):
        result = subprocess.run(
            [sys.executable, *command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"no Odoo configuration file at {missing}" in result.stderr
        assert "setup/serve" in result.stderr
