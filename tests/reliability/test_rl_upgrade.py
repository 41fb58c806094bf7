"""Upgrade, uninstall and reinstall on a seeded database.

``-u`` of the add-ons keeps every balance, ledger line, SLA deadline and
letter identical (checksums of the rows before and after).  Uninstalling
support_retention and support_work_authorization, then customer_letters and
support_certification, leaves support_points and helpdesk_mgmt working (a
ticket closes and is charged); reinstalling works.
"""

import subprocess
from pathlib import Path

from rl_infra import ODOO_BIN, PYTHON, REPO, _psql
from rl_scenarios import CLOSED_STAGE, make_customer, make_tickets
from rl_world import make_sent_letter

ADDONS = (
    "support_points,support_certification,customer_letters,"
    "support_work_authorization,support_retention"
)
REMOVED = (
    "support_retention",
    "support_work_authorization",
    "customer_letters",
    "support_certification",
)

CHECKSUMS = {
    "balances": "SELECT partner_id, company_id, balance FROM support_points_balance "
    "ORDER BY partner_id, company_id",
    "ledger": "SELECT id, partner_id, company_id, points, kind, remaining, "
    "expiry_date, ticket_id, invoice_line_id FROM support_points_move ORDER BY id",
    "charges": "SELECT id, support_charge_state, support_points_charged, "
    "support_fee_line_id FROM helpdesk_ticket ORDER BY id",
    "deadlines": "SELECT id, sla_tier_id, sla_start_date, sla_response_deadline, "
    "sla_resolution_deadline, sla_first_response_date, sla_paused_hours "
    "FROM helpdesk_ticket ORDER BY id",
    "certifications": "SELECT id, partner_id, level_id, date_obtained, date_expiry "
    "FROM support_certification ORDER BY id",
    "tiers": "SELECT id, response_hours, resolution_hours, calendar_id, is_default "
    "FROM support_sla_tier ORDER BY id",
    "rules": "SELECT id, ticket_domain, points, fee_product_id, active "
    "FROM support_charge_rule ORDER BY id",
    "letters": "SELECT id, name, subject, body, state, approver_id, ack_required "
    "FROM customer_letter ORDER BY id",
    "recipients": "SELECT id, letter_id, customer_id, mail_subject, mail_body, "
    "points_grant, points_granted_done, ack_token, mailed "
    "FROM customer_letter_recipient ORDER BY id",
    "acks": "SELECT id, recipient_id, partner_id, date FROM customer_letter_ack "
    "ORDER BY id",
}


def _checksums(db, names=None):
    sums = {}
    for name, sql in CHECKSUMS.items():
        if names and name not in names:
            continue
        rows = _psql(
            db,
            f"SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|'), '')) "
            f"FROM ({sql}) t",
        )
        sums[name] = rows
    return sums


def _odoo(conf, db, *args, timeout=900):
    proc = subprocess.run(
        [
            PYTHON,
            str(ODOO_BIN),
            "-c",
            str(conf),
            "-d",
            db,
            "--stop-after-init",
            "--log-level=warn",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if " ERROR " in ln]
    assert not errors, "\n".join(errors)


def _seed(conf, db):
    seed = Path(REPO) / "setup" / "seed"
    subprocess.run(
        [
            PYTHON,
            str(seed),
            "-c",
            str(conf),
            "-d",
            db,
            "--customers",
            "12",
            "--tickets",
            "150",
            "--no-progress",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _module_states(db):
    rows = _psql(
        db,
        "SELECT string_agg(name || '=' || state, ',' ORDER BY name) "
        "FROM ir_module_module WHERE name IN ('helpdesk_mgmt', 'support_points', "
        "'support_certification', 'customer_letters', 'support_retention', "
        "'support_work_authorization')",
    )
    return dict(item.split("=") for item in rows.split(","))


def test_upgrade_keeps_data_and_uninstall_reinstall(
    rl_env, rl_dbs, rl_servers, rl_prefix
):
    _template, conf, _options = rl_env
    db = rl_dbs(f"{rl_prefix}_upgrade")
    _seed(conf, db)
    server = rl_servers(db, workers=0, name="upgrade")
    admin = server.rpc("admin", "admin")
    company = admin.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    customer, contacts = make_customer(admin, "RL Upgrade Customer")
    admin.write("res.partner", [customer], {"customer_rank": 1})
    admin.call(
        "res.partner", "support_points_grant", [customer], 10, "RL upgrade grant"
    )
    make_sent_letter(admin, company, [customer], grant=2, name="RL upgrade")
    tickets = make_tickets(admin, contacts[0], 3)
    admin.write("helpdesk.ticket", tickets[:2], {"stage_id": admin.ref(CLOSED_STAGE)})
    server.stop()

    before = _checksums(db)
    assert before["letters"].split(":")[0] != "0"
    assert before["ledger"].split(":")[0] != "0"
    _odoo(conf, db, "-u", ADDONS)
    after = _checksums(db)
    assert after == before, {
        k: (before[k], after[k]) for k in before if before[k] != after[k]
    }

    # uninstall retention and work authorizations, then letters, then
    # certification; points and the helpdesk keep working
    server = rl_servers(db, workers=0, name="uninstall")
    admin = server.rpc("admin", "admin")
    for module in REMOVED:
        mod = admin.search("ir.module.module", [("name", "=", module)])
        admin.call("ir.module.module", "button_immediate_uninstall", mod)
    states = _module_states(db)
    assert all(states[module] == "uninstalled" for module in REMOVED), states
    assert states["support_points"] == "installed"
    ledger_before = _checksums(db, ["ledger"])["ledger"]
    admin = server.rpc("admin", "admin")
    balance = admin.read("res.partner", [customer], ["support_points_balance"])[0][
        "support_points_balance"
    ]
    admin.write("helpdesk.ticket", [tickets[2]], {"stage_id": admin.ref(CLOSED_STAGE)})
    row = admin.read(
        "helpdesk.ticket", [tickets[2]], ["support_charge_state", "closed"]
    )[0]
    assert row["closed"] and row["support_charge_state"] == "charged"
    assert (
        admin.read("res.partner", [customer], ["support_points_balance"])[0][
            "support_points_balance"
        ]
        == balance - 1
    )
    assert _checksums(db, ["ledger"])["ledger"] != ledger_before
    new_ticket = make_tickets(admin, contacts[0], 1)[0]
    assert admin.read("helpdesk.ticket", [new_ticket], ["name"])[0]["name"]
    server.stop()

    # reinstall them all
    _odoo(conf, db, "-i", ",".join(REMOVED))
    states = _module_states(db)
    assert all(state == "installed" for state in states.values()), states
    server = rl_servers(db, workers=0, name="reinstall")
    admin = server.rpc("admin", "admin")
    ticket = make_tickets(admin, contacts[0], 1)[0]
    assert admin.read("helpdesk.ticket", [ticket], ["sla_tier_id"])[0]["sla_tier_id"]
    letter = make_sent_letter(admin, company, [customer], name="RL after reinstall")
    assert admin.count("customer.letter.recipient", [("letter_id", "=", letter)]) == 1
    server.stop()
