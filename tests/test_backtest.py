"""setup/backtest on a small seeded database: the figures come out, from
data that has customers lost with and without warning signs."""

import json
import os
import subprocess
import sys

from support_setup import backtest, odoo_env

SETUP = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "setup"
)


def test_scoring_dates_every_step_back_from_the_last():
    import datetime

    dates = backtest.scoring_dates(datetime.date(2025, 12, 5), 3, 3)
    assert dates == [
        datetime.date(2025, 6, 5),
        datetime.date(2025, 9, 5),
        datetime.date(2025, 12, 5),
    ]


def test_backtest_on_seeded_data(scratch_db, odoo_conf, tmp_path):
    db = scratch_db("backtest")
    seeded = subprocess.run(
        [sys.executable, os.path.join(SETUP, "seed"), "-c", odoo_conf, "-d", db]
        + ["--customers", "8", "--tickets", "120", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    # the stories: some leave with warning signs, some without
    names = [
        row[0]
        for row in odoo_env.psql(
            db, "SELECT name FROM res_partner WHERE name LIKE %s", "%(%)"
        )
    ]
    assert any("(warned)" in name or "(silent)" in name for name in names), names
    figures = tmp_path / "backtest.json"
    result = subprocess.run(
        [sys.executable, os.path.join(SETUP, "backtest"), "-c", odoo_conf, "-d", db]
        + ["--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all dates" in result.stdout
    assert "targets (AUC >= 0.75" in result.stdout
    data = json.loads(figures.read_text())
    assert len(data["dates"]) == 4
    assert data["customers"] > 0
    assert data["lost"] > 0
    assert 0.0 <= data["auc"] <= 1.0
    assert 0.0 <= data["top_share"] <= 1.0
