"""Faults: a worker killed mid-batch, PostgreSQL stopped mid letter send.

After each fault nothing is half-written (no charge without its ticket
state, no granted points without their letter recipient) and re-running the
job finishes it without duplicates.  PostgreSQL is stopped on a private
throwaway cluster, never on the shared one, while the crons mail a letter
(through a local SMTP sink, so mails succeed and commit as in production).
"""

import os
import signal
import threading
import time

import psycopg2
from rl_infra import SmtpSink, drop_db, record_figure, write_private_conf
from rl_load import run_parallel
from rl_rpc import wait_http
from rl_scenarios import (
    CLOSED_STAGE,
    HELPDESK_USER,
    make_customer,
    make_tickets,
    make_users,
)
from rl_world import LETTER_BODY

N_TICKETS = 24
START_POINTS = 12


def _poll(dsn, sql, until, timeout=300, every=0.05):
    """Run sql until until(value) holds; return the last value."""
    deadline = time.monotonic() + timeout
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(sql)
                value = cr.fetchone()[0]
                if until(value):
                    return value
                time.sleep(every)
    finally:
        conn.close()
    return value


def _check_tickets_consistent(admin, tickets, customer):
    """Every ticket is either closed and charged once, or untouched."""
    rows = admin.read(
        "helpdesk.ticket",
        tickets,
        ["closed", "support_charge_state", "support_fee_line_id"],
    )
    consumes = admin.search_read(
        "support.points.move",
        [("partner_id", "=", customer), ("kind", "=", "consume")],
        ["ticket_id"],
    )
    charged_ids = [m["ticket_id"][0] for m in consumes]
    assert len(charged_ids) == len(set(charged_ids)), "a ticket was charged twice"
    for row in rows:
        state = row["support_charge_state"]
        if row["closed"]:
            assert state in ("charged", "fee"), row
            assert (row["id"] in charged_ids) == (state == "charged"), row
            assert bool(row["support_fee_line_id"]) == (state == "fee"), row
        else:
            assert state == "none", row
            assert row["id"] not in charged_ids, (
                f"charge without its ticket state: {row}"
            )
    ledger = admin.search_read(
        "support.points.move", [("partner_id", "=", customer)], ["points"]
    )
    balance = admin.read("res.partner", [customer], ["support_points_balance"])[0][
        "support_points_balance"
    ]
    assert balance == sum(m["points"] for m in ledger)
    return rows


def test_worker_killed_mid_batch(rl_dbs, rl_servers, rl_prefix):
    db = rl_dbs(f"{rl_prefix}_fault_kill")
    server = rl_servers(db, workers=2, name="kill")
    admin = server.rpc("admin", "admin")
    closers = make_users(admin, "rl_killclose", 4, [HELPDESK_USER])
    customer, contacts = make_customer(admin, "RL Kill Customer")
    admin.call("res.partner", "support_points_grant", [customer], START_POINTS, "start")
    tickets = make_tickets(admin, contacts[0], N_TICKETS)
    stage = admin.ref(CLOSED_STAGE)
    tasks = [
        {
            "kind": "close",
            "url": server.url,
            "db": db,
            "login": login,
            "password": login,
            "items": [
                ("helpdesk.ticket", "write", [[tid], {"stage_id": stage}], {})
                for tid in tickets[i :: len(closers)]
            ],
        }
        for i, login in enumerate(closers)
    ]
    outcome = {}
    runner = threading.Thread(
        target=lambda: outcome.update(results=run_parallel(tasks))
    )
    runner.start()
    closed_sql = (
        "SELECT count(*) FROM helpdesk_ticket WHERE closed_date IS NOT NULL "
        f"AND id IN ({','.join(map(str, tickets))})"
    )
    killed = []
    for threshold in (3, 9, 15):
        _poll(f"dbname={db}", closed_sql, lambda n, t=threshold: n >= t, timeout=240)
        pid = server.busy_http_worker()
        if pid:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    runner.join(timeout=600)
    assert not runner.is_alive()
    assert "error" not in outcome, outcome.get("error")
    results = outcome["results"]
    assert killed, "no worker was killed"
    cut = sum(len(r["transport_errors"]) for r in results)
    assert cut, "no request was in flight in the killed workers"
    record_figure("faults: HTTP workers SIGKILLed mid-batch", len(killed))
    record_figure("faults: close requests cut by the kills", cut)
    # what the clients saw: a dropped connection at most, never a server error
    assert not [e for r in results for e in r["server_errors"]]
    assert wait_http(server.url, timeout=60), "the server did not survive the kills"
    _check_tickets_consistent(admin, tickets, customer)
    # re-run: close what is still open and charge again (idempotent)
    open_ids = admin.search(
        "helpdesk.ticket", [("id", "in", tickets), ("closed", "=", False)]
    )
    if open_ids:
        admin.write("helpdesk.ticket", open_ids, {"stage_id": stage})
    admin.call("helpdesk.ticket", "action_support_charge", tickets)
    rows = _check_tickets_consistent(admin, tickets, customer)
    assert all(row["closed"] for row in rows)
    charged = sum(row["support_charge_state"] == "charged" for row in rows)
    assert charged == START_POINTS, "points left unused while fees were invoiced"
    assert len(server.wait_http_workers(2)) == 2, "killed workers were not replaced"


# ---------------------------------------------------------------------------
# PostgreSQL stopped in the middle of a letter send (private cluster)
# ---------------------------------------------------------------------------

N_CUSTOMERS = 30
GRANT = 3
BATCH_SIZE = 3  # mails per batch of the mass mailing composer
STEPS_BEFORE_STOP = 3  # writes on mailing_trace let through before the stop
TRACES_SQL = (
    "SELECT count(*) FROM mailing_trace WHERE model = 'customer.letter.recipient'"
)
WAITING_ON_TRACES_SQL = (
    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE c.relname = 'mailing_trace' AND NOT l.granted"
)


def _letter_state(admin, letter):
    recipients = admin.search_read(
        "customer.letter.recipient",
        [("letter_id", "=", letter)],
        ["customer_id", "mailed", "points_granted_done", "points_move_id"],
    )
    grants = admin.search_read(
        "support.points.move",
        [("kind", "=", "grant"), ("note", "like", "RL PG letter")],
        ["partner_id", "points"],
    )
    traces = admin.count(
        "mailing.trace",
        [
            ("model", "=", "customer.letter.recipient"),
            ("res_id", "in", [r["id"] for r in recipients]),
        ],
    )
    return recipients, grants, traces


def _check_letter_consistent(admin, letter):
    recipients, grants, traces = _letter_state(admin, letter)
    by_customer = {r["customer_id"][0]: r for r in recipients}
    granted = [g["partner_id"][0] for g in grants]
    assert len(granted) == len(set(granted)), "points granted twice"
    for partner in granted:
        assert partner in by_customer, "points granted without the letter record"
        assert by_customer[partner]["points_granted_done"]
        assert by_customer[partner]["mailed"]
    for rec in recipients:
        if rec["points_granted_done"]:
            assert rec["points_move_id"], rec
            assert rec["customer_id"][0] in granted
    assert all(g["points"] == GRANT for g in grants)
    return recipients, grants, traces


def test_postgres_stopped_mid_letter_send(
    rl_env, rl_dbs, rl_servers, rl_prefix, rl_private_cluster, tmp_path
):
    _template, conf, _options = rl_env
    cluster = rl_private_cluster
    db = rl_dbs(f"{rl_prefix}_fault_pg")
    cluster.copy_db_from_shared(db)
    drop_db(db)  # the copy lives in the private cluster only (filestore kept)
    sink = SmtpSink().start()
    private_conf = write_private_conf(
        conf, cluster, tmp_path / "private.conf", smtp_port=sink.port
    )
    server = rl_servers(db, workers=2, name="pg", conf_path=private_conf)
    try:
        _stop_postgres_mid_send(server, cluster, db)
    finally:
        server.stop()
        sink.stop()


# what the crons do for a letter being sent, in order (the server runs no
# cron thread: the test runs them, as the cron runner would)
SENDING_CRONS = (
    "mass_mailing.ir_cron_mass_mailing_queue",
    "mail.ir_cron_mail_scheduler_action",
    "customer_letters.ir_cron_customer_letter_sending",
)


def _run_sending_crons(admin, letter, rounds=30):
    """Run the sending crons until the letter is no longer being sent."""
    crons = [admin.ref(xmlid) for xmlid in SENDING_CRONS]
    for _round in range(rounds):
        for cron in crons:
            admin.call("ir.cron", "method_direct_trigger", [cron])
        state = admin.read("customer.letter", [letter], ["state"])[0]["state"]
        if state != "sending":
            return state
    return state


def _stop_postgres_mid_send(server, cluster, db):
    admin = server.rpc("admin", "admin")
    # the mass mailing composer commits every mail.batch_size mails
    admin.call("ir.config_parameter", "set_param", "mail.batch_size", str(BATCH_SIZE))
    customers = admin.call(
        "res.partner",
        "create",
        [
            {
                "name": f"RL PG customer {n}",
                "is_company": True,
                "customer_rank": 1,
                "email": f"rl.pg.{n}@example.com",
                "child_ids": [
                    (
                        0,
                        0,
                        {"name": f"RL PG contact {n}", "email": f"c.{n}@example.com"},
                    )
                ],
            }
            for n in range(N_CUSTOMERS)
        ],
    )
    company = admin.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    letter = admin.create(
        "customer.letter",
        {
            "name": "RL PG letter",
            "subject": "Our terms",
            "body": LETTER_BODY,
            "company_id": company,
            "ack_required": True,
            "segment_ids": [
                (
                    0,
                    0,
                    {
                        "name": "RL PG",
                        "domain": repr([("id", "in", customers)]),
                        "grant_points": GRANT,
                    },
                )
            ],
        },
    )
    admin.call("customer.letter", "action_approve", [letter])
    # Send puts the letter's mailing in the queue; the crons mail it
    admin.call("customer.letter", "action_send", [letter])

    dsn = f"host=127.0.0.1 port={cluster.port} dbname={db}"
    outcome = {}

    def send():
        try:
            outcome["result"] = _run_sending_crons(server.rpc("admin", "admin"), letter)
        except Exception as exc:  # noqa: BLE001 - the fault is the point
            outcome["error"] = exc

    # A SHARE lock on mailing_trace holds the sender at its next write of
    # mail traces (a new batch, or the status of a mail just sent): let it
    # through STEPS_BEFORE_STOP times, then stop PostgreSQL while it waits in
    # the middle of the sending.
    gate = psycopg2.connect(dsn)
    gate_cr = gate.cursor()
    gate_cr.execute("LOCK TABLE mailing_trace IN SHARE MODE")
    sender = threading.Thread(target=send)
    sender.start()
    try:
        for step in range(STEPS_BEFORE_STOP + 1):
            waiting = _poll(dsn, WAITING_ON_TRACES_SQL, lambda n: n >= 1, timeout=60)
            assert waiting, f"the sender did not reach its next mails: {outcome}"
            if step == STEPS_BEFORE_STOP:
                break
            gate.commit()  # the sender takes the lock first, then we queue
            # behind its transaction
            gate_cr.execute("LOCK TABLE mailing_trace IN SHARE MODE")
        seen = _poll(dsn, TRACES_SQL, lambda n: True)
        cluster.stop("immediate")
    finally:
        try:
            gate.close()
        except psycopg2.Error:
            pass
    sender.join(timeout=300)
    assert not sender.is_alive()
    assert 0 < seen < N_CUSTOMERS, "the send was not stopped in the middle"
    assert "error" in outcome, "the interrupted send reported success"
    cluster.start()
    assert wait_http(server.url, timeout=120)
    admin = server.rpc("admin", "admin")
    _recipients, _grants, traces = _check_letter_consistent(admin, letter)
    # what was committed before the stop stays: the mails of whole batches
    assert traces == seen
    record_figure(
        "faults: letter mails committed when PostgreSQL stopped",
        f"{traces}/{N_CUSTOMERS}",
    )
    # re-run the crons: they finish the job without duplicates
    assert _run_sending_crons(admin, letter) == "sent"
    recipients, grants, traces = _check_letter_consistent(admin, letter)
    assert sorted(r["customer_id"][0] for r in recipients) == sorted(customers)
    assert all(r["mailed"] and r["points_granted_done"] for r in recipients)
    assert len(grants) == N_CUSTOMERS
    assert traces == N_CUSTOMERS, "a customer was mailed twice (or not at all)"
