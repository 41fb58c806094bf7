"""setup/bench --scale tiny runs end to end and writes its JSON (not a timed test)."""

import datetime
import json
import os
import subprocess
import sys

from support_setup.bench import SCENARIOS
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
            [sys.executable, BENCH, "--scale", "tiny", "-c", odoo_conf]
            + ["--db-prefix", prefix, "--suite-template", template, "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    finally:
        # the baseline database stays (the next run reuses it); the copies go
        for kind in ("suite", "cron"):
            subprocess.run(["dropdb", "--if-exists", f"{prefix}_{kind}"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    report = json.loads(out.read_text())
    assert report["scale"] == "tiny"
    # every database measured was compacted and analysed first (the base
    # one stays: its statistics show the run's VACUUM (FULL, ANALYZE))
    assert set(report["compacted"]) == {
        f"{prefix}_{kind}" for kind in ("base", "suite", "cron")
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
        "cron",
    }
    # counting recipients: the form's five segments and the letter's total
    assert rows["count"]["result"] in ("pass", "FAIL"), rows["count"]
    assert rows["count"]["addons"]["queries"] > 0
    assert "letter total" in rows["count"]["note"]
    min_runs = {scenario.key: scenario.min_runs for scenario in SCENARIOS}
    for key in ("close", "list", "create", "letter"):
        row = rows[key]
        assert row["result"] in ("pass", "FAIL"), row
        assert row["baseline"]["queries"] > 0 and row["addons"]["queries"] > 0
        assert row["ratio"] > 0
        # one ratio per pair, at least the scenario's minimum (15 for the
        # few-millisecond list view, 5 for closing and the letter)
        expected = max(report["params"]["runs"], min_runs[key])
        assert len(row["ratios"]) == expected
    # the closes take turns within each run: every side's run is cut into
    # blocks (one close each at this scale, then the final flush), and the
    # two sides' runs overlap in time instead of following each other
    closes = report["params"]["close"]
    for base_run, suite_run in zip(
        rows["close"]["baseline"]["runs"], rows["close"]["addons"]["runs"], strict=True
    ):
        assert base_run["turns"] == suite_run["turns"] == closes + 1
        (base_start, base_end), (suite_start, suite_end) = (
            base_run["span"],
            suite_run["span"],
        )
        assert base_start < suite_end and suite_start < base_end, (base_run, suite_run)
    assert all(row["result"] != "ERROR" for row in rows.values()), rows
    # the printed table has a line per scenario
    for row in rows.values():
        assert row["title"] in result.stdout


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
