"""setup/seed at tiny scale: realistic shape, and the add-ons' constraints hold."""

import os
import subprocess
import sys

from support_setup import factories, odoo_env

SEED = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "setup", "seed"
)


def scalar(db, sql, *params):
    return odoo_env.psql(db, sql, *params)[0][0]


def test_seed_tiny(scratch_db, odoo_conf):
    db = scratch_db("seed")
    result = subprocess.run(
        [sys.executable, SEED, "-c", odoo_conf, "-d", db]
        + ["--customers", "8", "--tickets", "120", "--check", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "constraints: all seeded records pass" in result.stdout
    assert "rows/s" in result.stdout

    # support_retention adds as many customers again, each with a story
    # (loyal, troubled, leaving with or without warning) and its own tickets
    story = r"name ~ ' \((loyal|troubled|warned|silent)\)$'"
    assert (
        scalar(
            db, f"SELECT count(*) FROM res_partner WHERE customer_rank > 0 AND {story}"
        )
        == 8
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM res_partner WHERE customer_rank > 0 "
            f"AND NOT ({story})",
        )
        == 8
    )
    story_tickets = scalar(
        db,
        "SELECT count(*) FROM helpdesk_ticket t JOIN res_partner p "
        f"ON p.id = t.commercial_partner_id WHERE p.{story}",
    )
    assert story_tickets > 0
    # every contact belongs to a customer, and every ticket to a contact
    contacts = scalar(
        db, "SELECT count(*) FROM res_partner WHERE parent_id IS NOT NULL"
    )
    assert 16 <= contacts <= 64
    assert scalar(db, "SELECT count(*) FROM helpdesk_ticket") == 120 + story_tickets
    assert (
        scalar(db, "SELECT count(*) FROM helpdesk_ticket WHERE partner_id IS NULL") == 0
    )
    # years of history across channels, priorities and stages
    years = scalar(
        db, "SELECT count(DISTINCT date_part('year', create_date)) FROM helpdesk_ticket"
    )
    assert years >= 3
    assert scalar(db, "SELECT count(DISTINCT channel_id) FROM helpdesk_ticket") >= 3
    assert scalar(db, "SELECT count(DISTINCT priority) FROM helpdesk_ticket") >= 3
    closed = scalar(
        db,
        "SELECT count(*) FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s "
        "ON s.id = t.stage_id WHERE s.closed",
    )
    assert 0 < closed < 120 + story_tickets
    assert (
        scalar(
            db,
            "SELECT count(*) FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s "
            "ON s.id = t.stage_id WHERE s.closed AND t.closed_date IS NULL",
        )
        == 0
    )
    # the ledger: every balance is the sum of its lines
    mismatches = odoo_env.psql(
        db,
        "SELECT b.partner_id FROM support_points_balance b LEFT JOIN ("
        " SELECT partner_id, company_id, sum(points) AS total"
        " FROM support_points_move GROUP BY 1, 2) m"
        " ON m.partner_id = b.partner_id AND m.company_id = b.company_id"
        " WHERE b.balance <> coalesce(m.total, 0)",
    )
    assert mismatches == []
    assert scalar(db, "SELECT count(*) FROM support_points_move") >= 8
    assert scalar(db, "SELECT count(*) FROM support_certification") > 0


def test_factories_are_reproducible():
    pools = factories.Pools(
        contacts=[(1, 10), (2, 10), (3, 11)],
        channels={"Email": 1, "Web": 2, "Phone": 3, "Other": 4},
        open_stages=[1, 2],
        done_stage=4,
        closed_stages=[4, 5],
        team_ids=[],
    )

    def build():
        factories.factory.random.reseed_random("repro")
        return factories.TicketFactory.build_batch(20, pools=pools)

    first, second = build(), build()
    assert first == second
    assert {t["channel_id"] for t in first} <= {1, 2, 3, 4}
    assert all(t["closed_date"] for t in first if t["stage_id"] in (4, 5))
