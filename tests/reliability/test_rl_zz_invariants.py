"""The money invariants, checked last on every database the suite used.

Runs after the concurrency, fault, access and bad-input tests (pytest takes the
files in name order; this one is last): on each database they worked on, each
customer's balance equals the sum of its ledger per company, pack points equal
the posted pack quantity, no ticket says "fee invoiced" without its fee line,
and every refund is on the customer and company that were charged. The same
checks as ``setup/seed --check``.
"""

import sys

import psycopg2
from rl_infra import REPO

sys.path.insert(0, str(REPO / "setup"))
from support_setup.seed import document_problems, ledger_problems  # noqa: E402


def _databases(rl_dbs):
    conn = psycopg2.connect(dbname="postgres")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT datname FROM pg_database")
            existing = {row[0] for row in cr.fetchall()}
    finally:
        conn.close()
    return [name for name in rl_dbs.made if name in existing]


def test_every_database_of_the_suite_keeps_the_money_invariants(rl_dbs, rl_env):
    databases = _databases(rl_dbs)
    if not databases:
        # run alone: check the installed test database itself
        databases = [rl_env[0]]
    problems = []
    for name in databases:
        conn = psycopg2.connect(dbname=name)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT to_regclass('support_points_move') IS NOT NULL")
                # a database a test uninstalled support_points from has no ledger
                found = (
                    ledger_problems(cr) + document_problems(cr)
                    if cr.fetchone()[0]
                    else []
                )
        finally:
            conn.close()
        problems += [f"{name}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_the_invariants_find_a_balance_off_its_ledger(rl_dbs, rl_prefix):
    """The check is not vacuous: a balance row with no ledger behind it is
    reported (on a throwaway copy, rolled back and dropped)."""
    name = rl_dbs(f"{rl_prefix}_broken")
    conn = psycopg2.connect(dbname=name)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "INSERT INTO support_points_balance "
                "(partner_id, company_id, balance) "
                "SELECT p.id, c.id, 5 FROM res_partner p, res_company c "
                "ORDER BY p.id, c.id LIMIT 1"
            )
            found = ledger_problems(cr)
        conn.rollback()
    finally:
        conn.close()
        rl_dbs.drop(name)
        rl_dbs.made.remove(name)
    assert found and "has 5, its lines sum to 0" in found[0], found
