"""Backtest the customer health score of support_retention on a database.

Runs inside Odoo (the registry of the database, like ``odoo shell``) and calls
the same code as the add-on's backtest report
(``support.retention.backtest._backtest``), which computes each score with
``_compute_scores(..., as_of=date)``: only tickets, invoices, ledger lines,
letters and certifications dated before each scoring date count. Prints one
line per scoring date and the pooled figures; ``--json`` writes them too.
"""

import argparse
import datetime
import json
import sys

from . import odoo_env

TARGET_AUC = 0.75
TARGET_TOP = 0.40


def build_parser():
    parser = argparse.ArgumentParser(
        prog="setup/backtest",
        description="Backtest the customer health score (support_retention).",
    )
    parser.add_argument("-d", "--db", required=True, help="database to measure")
    parser.add_argument(
        "-c", "--config", default=odoo_env.default_config(), help="Odoo config file"
    )
    parser.add_argument(
        "--dates", type=int, default=4, help="scoring dates (default 4)"
    )
    parser.add_argument(
        "--step-months", type=int, default=3, help="months between dates (default 3)"
    )
    parser.add_argument(
        "--last",
        type=datetime.date.fromisoformat,
        help="last scoring date (default: 12 months ago, the latest whose "
        "outcome is known)",
    )
    parser.add_argument("--json", help="write the figures to this file")
    return parser


def scoring_dates(last, count, step_months):
    from dateutil.relativedelta import relativedelta

    return sorted(last - relativedelta(months=step_months * i) for i in range(count))


def report(result, out=sys.stdout):
    print(
        f"{'scored on':<12} {'customers':>9} {'lost':>5} {'AUC':>6} {'top 10%':>8}",
        file=out,
    )
    for line in result["dates"]:
        auc = "-" if line["auc"] is None else f"{line['auc']:.3f}"
        print(
            f"{line['date']!s:<12} {line['customers']:>9} {line['lost']:>5} "
            f"{auc:>6} {line['top_share']:>8.0%}",
            file=out,
        )
    auc = result["auc"]
    print(
        f"{'all dates':<12} {result['customers']:>9} {result['lost']:>5} "
        f"{'-' if auc is None else f'{auc:.3f}':>6} {result['top_share']:>8.0%}",
        file=out,
    )
    met = (auc or 0) >= TARGET_AUC and result["top_share"] >= TARGET_TOP
    print(
        f"targets (AUC >= {TARGET_AUC}, lost in top 10% >= {TARGET_TOP:.0%}): "
        f"{'met' if met else 'missed'}",
        file=out,
    )
    return met


def main(argv=None):
    args = build_parser().parse_args(argv)
    with odoo_env.environment(args.config, args.db) as env:
        if "support.retention.backtest" not in env.registry:
            print(
                "support_retention is not installed in this database", file=sys.stderr
            )
            return 2
        from dateutil.relativedelta import relativedelta

        today = datetime.date.today()
        last = args.last or today - relativedelta(months=12)
        if last > today - relativedelta(months=12):
            print(
                "the last scoring date must be at least 12 months ago", file=sys.stderr
            )
            return 2
        dates = scoring_dates(last, args.dates, args.step_months)
        result = env["support.retention.backtest"]._backtest(env.company, dates)
        env.cr.rollback()
    report(result)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2, default=str)
    return 0
