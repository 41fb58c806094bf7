"""Every ``sudo()`` in addons/ is justified and cannot be used to escalate.

The tests below grep the add-ons: each sudo
site (file, function) must carry a ``# sudo:`` comment and be listed in
SUDO_SITES with the tests below (or in the access matrix of
customer_letters/tests/test_access_matrix.py) that show its caller
cannot use it to do more than they may.  A new ``sudo()`` fails the suite
until it gets such a test.
"""

import re
import xmlrpc.client
from pathlib import Path

import pytest
from rl_rpc import FAULT_ACCESS, FAULT_USER, web_session
from rl_scenarios import CLOSED_STAGE, make_tickets
from rl_world import make_sent_letter

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# the access matrix is a TransactionCase of customer_letters (which depends
# on the other add-ons); its cells and isolation checks are methods there
MATRIX_FILE = REPO / "addons/customer_letters/tests/test_access_matrix.py"
MATRIX = "test_access_matrix.py::_check_cell"
BALANCE_ISOLATION = "test_access_matrix.py::_check_partner_balance_isolation"
BALANCE_SEARCH = "test_access_matrix.py::_check_balance_search_does_not_leak"
SUDO_SITES = {
    # support_points
    ("support_points/controllers/portal.py", "_support_points_ledger"): [
        "test_portal_points_page_shows_own_company_only",
    ],
    # the portal page's packs, rules and pending request, and the draft
    # invoice of a pack request: the user's own customer and company only
    ("support_points/controllers/portal.py", "_support_points_offer"): [
        "test_rl_points_portal.py::test_portal_pack_request_stays_within_own_company",
    ],
    ("support_points/controllers/portal.py", "portal_support_points_request"): [
        "test_rl_points_portal.py::test_portal_pack_request_stays_within_own_company",
    ],
    ("support_points/models/helpdesk_ticket.py", "_support_charge"): [
        "test_portal_cannot_trigger_a_charge",
        "test_agent_cannot_skip_the_charge_by_writing_its_state",
    ],
    # which rules exist: read only to charge a closing ticket
    ("support_points/models/support_charge_rule.py", "_rules_of_company"): [
        "test_portal_cannot_trigger_a_charge",
        "test_agent_cannot_skip_the_charge_by_writing_its_state",
    ],
    ("support_points/models/helpdesk_ticket.py", "_support_add_fee_line"): [
        "test_fee_reaches_invoice_without_agent_invoice_rights",
    ],
    # the expected charge: read for who may read the ticket, writes nothing
    ("support_points/models/helpdesk_ticket.py", "support_charge_preview"): [
        "test_charge_preview_needs_read_access_to_the_ticket",
    ],
    (
        "support_points/models/helpdesk_ticket.py",
        "_compute_support_charge_preview",
    ): [
        "test_charge_preview_needs_read_access_to_the_ticket",
    ],
    ("support_points/models/helpdesk_ticket.py", "_support_refund"): [
        "test_refund_needs_points_manager",
    ],
    ("support_points/models/helpdesk_ticket.py", "_support_notify_low_balance"): [
        "test_fee_reaches_invoice_without_agent_invoice_rights",
    ],
    # the ticket shows its customer's balance, as the customer's own field
    (
        "support_points/models/helpdesk_ticket.py",
        "_compute_support_points_balance",
    ): [
        BALANCE_ISOLATION,
    ],
    ("support_points/models/support_points_move.py", "_is_being_uninstalled"): [
        MATRIX,
    ],
    # the points of posted pack lines, booked and taken back as the invoice
    # is posted, reset or cancelled: only by who may post the invoice
    ("support_points/models/account_move_line.py", "_support_points_sync"): [
        "test_pack_points_need_posting_rights",
    ],
    (
        "support_points/models/account_move_line.py",
        "_support_points_booked_by_account",
    ): [
        "test_pack_points_need_posting_rights",
    ],
    # which tickets an invoice line's fee bills: read to refuse deleting or
    # cancelling it (names in the error, a note on the ticket), nothing else
    ("support_points/models/account_move_line.py", "_support_points_fee_tickets"): [
        MATRIX,
    ],
    # whether a rule or a customer has a history, read to refuse deleting
    # it (only by who may delete it: access rights come first)
    ("support_points/models/support_charge_rule.py", "_unlink_except_used"): [
        MATRIX,
    ],
    (
        "support_points/models/res_partner.py",
        "_unlink_except_support_points_history",
    ): [
        MATRIX,
    ],
    ("support_points/models/res_partner.py", "support_points_balance"): [
        BALANCE_ISOLATION,
    ],
    ("support_points/models/res_partner.py", "_search_support_points_balance"): [
        BALANCE_SEARCH,
    ],
    # support_certification
    ("support_certification/models/helpdesk_ticket.py", "_sla_plan"): [
        "test_agent_cannot_pick_the_sla_tier",
    ],
    ("support_certification/models/helpdesk_ticket.py", "_sla_prepare_create_vals"): [
        "test_agent_cannot_pick_the_sla_tier",
    ],
    ("support_certification/models/support_sla_tier.py", "_get_default_tier_id"): [
        "test_agent_cannot_pick_the_sla_tier",
    ],
    ("support_certification/models/helpdesk_ticket.py", "_sla_stage_pauses"): [
        "test_agent_cannot_stretch_sla_deadlines",
        "test_agent_cannot_forge_the_pause_at_create",
    ],
    ("support_certification/models/helpdesk_ticket.py", "create"): [
        "test_agent_cannot_forge_the_pause_at_create",
    ],
    ("support_certification/models/helpdesk_ticket.py", "_sla_sync_pause"): [
        "test_agent_cannot_stretch_sla_deadlines",
    ],
    ("support_certification/models/helpdesk_ticket.py", "_sla_is_first_response"): [
        "test_customer_message_is_not_a_first_response",
    ],
    ("support_certification/models/helpdesk_ticket.py", "_message_post_after_hook"): [
        "test_customer_message_is_not_a_first_response",
    ],
    ("support_certification/models/res_partner.py", "get_support_sla_tiers"): [
        "test_portal_sees_its_tier_but_no_certification",
    ],
    ("support_certification/models/res_partner.py", "_search_support_sla_tier_id"): [
        "test_tier_search_does_not_leak",
    ],
    # tier periods, bonus points and pending certifications follow a posted
    # invoice: only who may post, reset or credit the invoice gets them
    (
        "support_certification/models/account_move_line.py",
        "_support_certification_sync",
    ): [
        "test_tier_purchase_needs_posting_rights",
    ],
    # customer_letters
    ("customer_letters/models/customer_letter.py", "_compute_statistics"): [MATRIX],
    ("customer_letters/models/customer_letter.py", "action_send_test"): [
        "test_send_test_goes_to_the_caller_only",
    ],
    ("customer_letters/models/customer_letter.py", "_ensure_mailing"): [
        "test_only_letters_managers_send",
    ],
    ("customer_letters/models/customer_letter.py", "_queue_mailing"): [
        "test_only_letters_managers_send",
    ],
    ("customer_letters/models/customer_letter_recipient.py", "_compute_mail_status"): [
        MATRIX,
    ],
    ("customer_letters/models/customer_letter_recipient.py", "_customer_facts"): [
        "test_segment_never_reaches_another_company",
    ],
    ("customer_letters/models/customer_letter_recipient.py", "_prepare_values"): [
        "test_segment_never_reaches_another_company",
    ],
    ("customer_letters/models/customer_letter_recipient.py", "_create_rendered"): [
        "test_only_letters_managers_send",
    ],
    ("customer_letters/models/customer_letter_recipient.py", "_record_mailed"): [
        "test_letter_grant_needs_a_points_manager_approval",
    ],
    ("customer_letters/models/customer_letter_segment.py", "_customer_base_domain"): [
        "test_segment_never_reaches_another_company",
    ],
    ("customer_letters/models/customer_letter_segment.py", "_tenure_domain"): [
        "test_segment_never_reaches_another_company",
    ],
    ("customer_letters/models/customer_letter_segment.py", "_closed_tickets_domain"): [
        "test_segment_never_reaches_another_company",
    ],
    ("customer_letters/models/customer_letter_ack.py", "_find_recipient"): [
        "test_rl_ack.py::test_forged_ack",
    ],
    ("customer_letters/models/customer_letter_ack.py", "_acknowledge"): [
        "test_rl_ack.py::test_ack_once",
    ],
    # support_retention: aggregates per customer for the health score and
    # its backtest, which only retention managers (and the cron) start
    ("support_retention/models/support_retention_score.py", "_model"): [
        "test_rl_retention.py::test_retention_computation_needs_a_retention_manager",
    ],
    (
        "support_retention/wizards/support_retention_backtest.py",
        "_activity_by_partner",
    ): [
        "test_rl_retention.py::test_retention_computation_needs_a_retention_manager",
    ],
}

SUDO_RE = re.compile(r"\.sudo\(|compute_sudo=True")


def _sudo_sites():
    """{(file, enclosing function or field): (line number, lines)}."""
    sites = {}
    for path in sorted((REPO / "addons").glob("*/**/*.py")):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        rel = str(path.relative_to(REPO / "addons"))
        lines = path.read_text().splitlines()
        function = field = None
        for num, line in enumerate(lines, 1):
            found = re.match(r"\s*def (\w+)", line)
            if found:
                function = found.group(1)
            found = re.match(r"    (\w+) = fields\.", line)
            if found:
                field = found.group(1)
            if SUDO_RE.search(line) and not line.strip().startswith("#"):
                owner = field if "compute_sudo" in line else function
                sites.setdefault((rel, owner), (num, lines))
    return sites


def _has_comment(lines, num):
    """A '# sudo:' comment in the statement's lead-in (a compute_sudo field:
    in the block of fields above it, which may share one comment)."""
    reach = 30 if "compute_sudo" in lines[num - 1] else 12
    window = lines[max(0, num - reach) : num]
    return any("# sudo:" in line for line in window)


# sudo() calls that have no '# sudo: why' comment yet (reported bugs); the
# strict xfail turns red once the comment is added, to drop the entry here
UNCOMMENTED: set[tuple[str, str]] = set()
SITES = _sudo_sites()


@pytest.mark.parametrize(
    "site",
    [
        pytest.param(
            key,
            id=f"{key[0]}:{key[1]}",
            marks=[pytest.mark.xfail(strict=True, reason="sudo() without comment")]
            if key in UNCOMMENTED
            else [],
        )
        for key in SITES
    ],
)
def test_sudo_is_commented(site):
    num, lines = SITES[site]
    assert _has_comment(lines, num), f"{site[0]}:{num}: sudo() without '# sudo: why'"


def test_every_sudo_has_an_escalation_test():
    assert SITES, "no sudo found: the grep is broken"
    missing = [
        f"{rel} {owner}"
        for rel, owner in SITES
        if (rel, owner) not in SUDO_SITES
        and not (
            rel == "support_points/models/res_partner.py"
            and owner.startswith("support_points_")
        )
    ]
    assert not missing, f"sudo() without an escalation test in SUDO_SITES: {missing}"
    # and no entry outlives its sudo() (a renamed function keeps its test)
    stale = [f"{rel} {owner}" for rel, owner in SUDO_SITES if (rel, owner) not in SITES]
    assert not stale, f"SUDO_SITES entries without a sudo() any more: {stale}"
    paths = [*HERE.glob("test_rl_*.py"), MATRIX_FILE]
    sources = "\n".join(p.read_text() for p in paths)
    for tests in SUDO_SITES.values():
        for test in tests:
            name = test.split("::")[-1]
            assert f"def {name}(" in sources, f"{test} does not exist"


# ---------------------------------------------------------------------------
# support_points
# ---------------------------------------------------------------------------


def _fault(call):
    try:
        call()
    except xmlrpc.client.Fault as exc:
        assert exc.faultCode in (FAULT_ACCESS, FAULT_USER), exc.faultString[-1500:]
        return exc
    return None


def _new_ticket(world, partner_key="cust_a_contact", **extra):
    return make_tickets(world.admin, world.ids[partner_key], 1, extra=extra)[0]


def _ledger_count(world, partner_key="cust_a"):
    return world.admin.count(
        "support.points.move", [("partner_id", "=", world.ids[partner_key])]
    )


def test_portal_points_page_shows_own_company_only(rl_world):
    world = rl_world
    ids = world.ids
    session = web_session(world.server.url, world.server.db, "rl_portal", "rl_portal")
    page = session.get(f"{world.server.url}/my/support-points", timeout=60)
    assert page.status_code == 200
    assert "RL start cust_a" in page.text
    assert "RL start cust_a2" not in page.text
    assert "RL start cust_b" not in page.text
    # asking for company B through the company cookie changes nothing
    session.cookies.set("cids", str(ids["company_b"]))
    page_b = session.get(f"{world.server.url}/my/support-points", timeout=60)
    assert "RL start cust_b" not in page_b.text
    assert "RL start cust_a2" not in page_b.text


def test_portal_cannot_trigger_a_charge(rl_world):
    world = rl_world
    ticket = _new_ticket(world)
    world.admin.write(
        "helpdesk.ticket",
        [ticket],
        {"stage_id": world.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")},
    )
    before = _ledger_count(world)
    fault = _fault(
        lambda: world.rpc("portal").call(
            "helpdesk.ticket", "action_support_charge", [ticket]
        )
    )
    assert fault is not None and fault.faultCode == FAULT_ACCESS
    assert _ledger_count(world) == before


def test_agent_cannot_skip_the_charge_by_writing_its_state(rl_world):
    world = rl_world
    agent = world.rpc("hd_all")
    ticket = _new_ticket(world)
    _fault(
        lambda: agent.write(
            "helpdesk.ticket",
            [ticket],
            {"support_charge_state": "charged", "support_points_charged": -50},
        )
    )
    agent.write("helpdesk.ticket", [ticket], {"stage_id": world.ref(CLOSED_STAGE)})
    lines = world.admin.search_read(
        "support.points.move", [("ticket_id", "=", ticket)], ["points", "kind"]
    )
    assert [(m["kind"], m["points"]) for m in lines] == [("consume", -1)]


def test_agent_cannot_change_or_widen_the_charge_condition(rl_world):
    world = rl_world
    ids = world.ids
    automation = world.ref("support_points.automation_ticket_close_charge")
    condition = world.admin.read("base.automation", [automation], ["filter_domain"])
    agent = world.rpc("hd_all")
    fault = _fault(
        lambda: agent.write("base.automation", [automation], {"filter_domain": "[]"})
    )
    assert fault is not None and fault.faultCode == FAULT_ACCESS
    assert (
        world.admin.read("base.automation", [automation], ["filter_domain"])
        == condition
    )
    # the condition is applied in sudo: it must not let an agent who sees
    # only their own tickets close (and charge) someone else's
    own_agent = world.rpc("hd_own")
    own = _new_ticket(world, user_id=ids["user_hd_own"])
    other = _new_ticket(world, user_id=ids["user_hd_all"])
    closed = world.ref(CLOSED_STAGE)
    fault = _fault(
        lambda: own_agent.write("helpdesk.ticket", [other], {"stage_id": closed})
    )
    assert fault is not None and fault.faultCode == FAULT_ACCESS
    own_agent.write("helpdesk.ticket", [own], {"stage_id": closed})
    tickets = world.admin.read(
        "helpdesk.ticket", [own, other], ["stage_id", "support_charge_state"]
    )
    states = {t["id"]: (t["stage_id"][0], t["support_charge_state"]) for t in tickets}
    assert states[own] == (closed, "charged")
    assert states[other][1] == "none" and states[other][0] != closed
    lines = world.admin.search_read(
        "support.points.move", [("ticket_id", "in", [own, other])], ["ticket_id"]
    )
    assert [m["ticket_id"][0] for m in lines] == [own]


def test_fee_reaches_invoice_without_agent_invoice_rights(rl_world):
    """The agent closing a ticket of a customer without points gets the fee
    invoiced (sudo) but cannot touch invoices or the customer themselves."""
    world = rl_world
    admin, agent = world.admin, world.rpc("hd_all")
    customer = admin.create(
        "res.partner", {"name": "RL broke customer", "is_company": True}
    )
    ticket = make_tickets(admin, customer, 1)[0]
    agent.write("helpdesk.ticket", [ticket], {"stage_id": world.ref(CLOSED_STAGE)})
    row = admin.read(
        "helpdesk.ticket", [ticket], ["support_charge_state", "support_fee_line_id"]
    )[0]
    assert row["support_charge_state"] == "fee" and row["support_fee_line_id"]
    invoice = admin.read(
        "account.move.line", [row["support_fee_line_id"][0]], ["move_id"]
    )[0]["move_id"][0]
    assert (
        _fault(lambda: agent.read("account.move", [invoice], ["amount_total"]))
        is not None
    )
    assert (
        _fault(lambda: agent.write("account.move", [invoice], {"ref": "RL"}))
        is not None
    )
    assert (
        _fault(
            lambda: agent.create(
                "account.move", {"move_type": "out_invoice", "partner_id": customer}
            )
        )
        is not None
    )
    assert (
        _fault(lambda: agent.write("res.partner", [customer], {"name": "RL renamed"}))
        is not None
    )


def test_refund_needs_points_manager(rl_world):
    world = rl_world
    admin = world.admin
    ticket = _new_ticket(world)
    admin.write("helpdesk.ticket", [ticket], {"stage_id": world.ref(CLOSED_STAGE)})
    assert (
        admin.read("helpdesk.ticket", [ticket], ["support_charge_state"])[0][
            "support_charge_state"
        ]
        == "charged"
    )
    before = _ledger_count(world)
    for role in ("hd_all", "letters_mgr", "portal"):
        fault = _fault(
            lambda r=role: world.rpc(r).call(
                "helpdesk.ticket", "action_support_refund", [ticket]
            )
        )
        assert fault is not None, role
    assert _ledger_count(world) == before
    world.rpc("points_mgr").call("helpdesk.ticket", "action_support_refund", [ticket])
    assert _ledger_count(world) == before + 1


def test_pack_points_need_posting_rights(rl_world):
    world = rl_world
    admin = world.admin
    product = admin.create(
        "product.product", {"name": "RL pack 7", "type": "service", "support_points": 7}
    )
    invoice = admin.create(
        "account.move",
        {
            "move_type": "out_invoice",
            "partner_id": world.ids["cust_a"],
            "invoice_line_ids": [
                (0, 0, {"product_id": product, "quantity": 1, "price_unit": 10})
            ],
        },
    )
    before = _ledger_count(world)
    for role in ("hd_all", "points_mgr", "portal"):
        assert (
            _fault(
                lambda r=role: world.rpc(r).call(
                    "account.move", "action_post", [invoice]
                )
            )
            is not None
        )
    assert _ledger_count(world) == before
    jadmin = world.jrpc("admin")  # these methods return None
    jadmin.call("account.move", "action_post", [invoice])
    jadmin.call("account.move", "button_draft", [invoice])
    jadmin.call("account.move", "action_post", [invoice])
    purchases = admin.search_read(
        "support.points.move",
        [("partner_id", "=", world.ids["cust_a"]), ("kind", "=", "purchase")],
        ["points"],
    )
    # reset to draft took the points back, posting again booked them again
    assert sorted(p["points"] for p in purchases) == [-7, 7, 7]
    assert sum(p["points"] for p in purchases) == 7, "pack granted more than once"


# ---------------------------------------------------------------------------
# support_certification
# ---------------------------------------------------------------------------


def test_agent_cannot_pick_the_sla_tier(rl_world):
    world = rl_world
    agent = world.rpc("hd_all")
    expert = world.ref("support_certification.sla_tier_expert")
    ticket = agent.create(
        "helpdesk.ticket",
        {
            "name": "RL tier pick",
            "description": "<p>x</p>",
            "partner_id": world.ids["cust_a2_contact"],
            "sla_tier_id": expert,
        },
    )
    tier = world.admin.read("helpdesk.ticket", [ticket], ["sla_tier_id"])[0][
        "sla_tier_id"
    ][0]
    assert tier != expert
    fault = _fault(
        lambda: agent.write("helpdesk.ticket", [ticket], {"sla_tier_id": expert})
    )
    assert fault is not None and fault.faultCode == FAULT_ACCESS
    assert (
        world.admin.read("helpdesk.ticket", [ticket], ["sla_tier_id"])[0][
            "sla_tier_id"
        ][0]
        == tier
    )


def test_agent_cannot_stretch_sla_deadlines(rl_world):
    world = rl_world
    agent = world.rpc("hd_all")
    ticket = _new_ticket(world, "cust_a2_contact")
    fields = ["sla_paused_hours", "sla_response_deadline", "sla_resolution_deadline"]
    before = world.admin.read("helpdesk.ticket", [ticket], fields)[0]
    for vals in (
        {"sla_paused_hours": 1000.0},
        {"sla_resolution_deadline": "2099-01-01 00:00:00"},
        {"sla_response_deadline": "2099-01-01 00:00:00"},
    ):
        _fault(lambda v=vals: agent.write("helpdesk.ticket", [ticket], v))
    assert world.admin.read("helpdesk.ticket", [ticket], fields)[0] == before


def test_agent_cannot_forge_the_pause_at_create(rl_world):
    """A ticket created straight into a paused stage starts paused now,
    whatever clock the agent sends; its note (written in sudo) is the
    agent's."""
    world = rl_world
    agent = world.rpc("hd_all")
    ticket = agent.create(
        "helpdesk.ticket",
        {
            "name": "RL paused at create",
            "description": "<p>x</p>",
            "partner_id": world.ids["cust_a2_contact"],
            "stage_id": world.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting"),
            "sla_paused_since": "2000-01-01 00:00:00",
            "sla_paused_hours": 1000.0,
        },
    )
    fields = ["sla_paused_since", "sla_paused_hours", "sla_response_state"]
    [row] = world.admin.read("helpdesk.ticket", [ticket], fields)
    assert row["sla_paused_hours"] == 0.0
    assert row["sla_paused_since"] > "2020-01-01 00:00:00"
    assert row["sla_response_state"] == "paused"
    [user] = world.admin.read("res.users", [agent.uid], ["partner_id"])
    notes = world.admin.search_read(
        "mail.message",
        [
            ("model", "=", "helpdesk.ticket"),
            ("res_id", "=", ticket),
            ("body", "ilike", "SLA clock paused"),
        ],
        ["author_id"],
    )
    assert [note["author_id"][0] for note in notes] == [user["partner_id"][0]]


def test_customer_message_is_not_a_first_response(rl_world):
    world = rl_world
    world.admin.write(
        "res.users", [world.ids["user_hd_all"]], {"email": "rl.agent@example.com"}
    )
    ticket = _new_ticket(world)
    portal = world.rpc("portal")
    portal.call(
        "helpdesk.ticket",
        "message_post",
        [ticket],
        body="RL customer says hi",
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
    )
    row = world.admin.read("helpdesk.ticket", [ticket], ["sla_first_response_date"])[0]
    assert not row["sla_first_response_date"]
    world.rpc("hd_all").call(
        "helpdesk.ticket",
        "message_post",
        [ticket],
        body="RL agent answers",
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
    )
    row = world.admin.read("helpdesk.ticket", [ticket], ["sla_first_response_date"])[0]
    assert row["sla_first_response_date"]


def test_portal_sees_its_tier_but_no_certification(rl_world):
    world = rl_world
    portal = world.rpc("portal")
    tier = portal.read(
        "res.partner", [world.ids["cust_a_contact"]], ["support_sla_tier_id"]
    )[0]
    assert tier["support_sla_tier_id"]
    assert _fault(
        lambda: portal.read(
            "support.certification", [world.ids["cert_a"]], ["partner_id"]
        )
    )
    assert _fault(
        lambda: portal.read(
            "res.partner", [world.ids["cust_a2"]], ["support_sla_tier_id"]
        )
    )


def test_tier_purchase_needs_posting_rights(rl_world):
    """Posting an invoice of a tier's product gives the tier (in sudo): only
    who may post the invoice gets it, and nobody writes a period directly."""
    world = rl_world
    admin = world.admin
    invoice = admin.create(
        "account.move",
        {
            "move_type": "out_invoice",
            "partner_id": world.ids["cust_a"],
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": world.ref(
                            "support_certification.product_sla_expert"
                        ),
                        "quantity": 2,
                        "price_unit": 10,
                    },
                )
            ],
        },
    )
    periods = [("move_id", "=", invoice)]
    for role in ("hd_all", "points_mgr", "portal"):
        assert (
            _fault(
                lambda r=role: world.rpc(r).call(
                    "account.move", "action_post", [invoice]
                )
            )
            is not None
        )
    assert admin.count("support.sla.tier.period", periods) == 0
    world.jrpc("admin").call("account.move", "action_post", [invoice])
    rows = admin.search_read(
        "support.sla.tier.period",
        periods + [("kind", "=", "purchase")],
        ["state", "quantity"],
    )
    assert [(r["state"], r["quantity"]) for r in rows] == [("active", 2)]
    for role in ("hd_all", "points_mgr", "user_b"):
        assert _fault(
            lambda r=role: world.rpc(r).write(
                "support.sla.tier.period", [rows[0]["id"]], {"date_end": "2099-01-01"}
            )
        )


def test_tier_search_does_not_leak(rl_world):
    """Searching partners by SLA tier finds only partners the user may read."""
    world = rl_world
    ids = world.ids
    tier = world.admin.read("res.partner", [ids["cust_a2"]], ["support_sla_tier_id"])
    domain = [("support_sla_tier_id", "=", tier[0]["support_sla_tier_id"][0])]
    assert ids["cust_a2"] in world.admin.search("res.partner", domain)
    portal = world.rpc("portal")
    readable = set(portal.search("res.partner", []))
    found = set(portal.search("res.partner", domain))
    assert found <= readable
    assert ids["cust_a2"] not in found


# ---------------------------------------------------------------------------
# customer_letters
# ---------------------------------------------------------------------------


def test_send_test_goes_to_the_caller_only(rl_world):
    world = rl_world
    admin = world.admin
    admin.write(
        "res.users",
        [world.ids["user_letters_mgr"]],
        {"email": "rl.letters@example.com"},
    )
    before = admin.search("mail.mail", [])
    letter = make_sent_letter(
        admin,
        world.ids["company_a"],
        [world.ids["cust_a"]],
        send=False,
        name="RL test-send",
    )
    world.rpc("letters_mgr").call("customer.letter", "action_send_test", [letter])
    new = admin.search_read(
        "mail.mail", [("id", "not in", before)], ["email_to", "recipient_ids"]
    )
    assert new, "no test mail"
    for mail in new:
        assert "rl.letters@example.com" in (mail["email_to"] or "")
        assert not mail["recipient_ids"]
    # and nothing was sent to the customers: no recipient rows
    assert not admin.search("customer.letter.recipient", [("letter_id", "=", letter)])


def test_only_letters_managers_send(rl_world):
    world = rl_world
    admin = world.admin
    letter = make_sent_letter(
        admin, world.ids["company_a"], [world.ids["cust_a"]], send=False, name="RL send"
    )
    for role in ("hd_all", "points_mgr", "portal", "user_b"):
        assert _fault(
            lambda r=role: world.rpc(r).call("customer.letter", "action_send", [letter])
        ), role
    assert not admin.search("customer.letter.recipient", [("letter_id", "=", letter)])
    assert (
        admin.read("customer.letter", [letter], ["mailing_id"])[0]["mailing_id"]
        is False
    )
    world.rpc("letters_mgr").call("customer.letter", "action_send", [letter])
    assert admin.search("customer.letter.recipient", [("letter_id", "=", letter)])


def test_letter_grant_needs_a_points_manager_approval(rl_world):
    world = rl_world
    manager = world.rpc("letters_mgr")
    letter = manager.create(
        "customer.letter",
        {
            "name": "RL self-approved grant",
            "subject": "Gift",
            "body": "<p>Gift</p>",
            "company_id": world.ids["company_a"],
            "segment_ids": [
                (
                    0,
                    0,
                    {
                        "name": "RL gift",
                        "domain": repr([("id", "=", world.ids["cust_a2"])]),
                        "grant_points": 500,
                    },
                )
            ],
        },
    )
    assert _fault(lambda: manager.call("customer.letter", "action_approve", [letter]))
    before = _ledger_count(world, "cust_a2")
    _fault(lambda: manager.write("customer.letter", [letter], {"state": "approved"}))
    _fault(lambda: manager.call("customer.letter", "action_send", [letter]))
    assert _ledger_count(world, "cust_a2") == before, "points granted without approval"


def test_segment_never_reaches_another_company(rl_world):
    """Whatever criterion a segment uses (each runs a sudo sub-query), a
    company A letter never selects company B's customer; the same segment on
    a company A customer does select it (the control)."""
    world = rl_world
    manager = world.rpc("letters_mgr")
    criteria = {
        "plain": {},
        "tenure": {"min_tenure_years": 0},
        "closed-tickets": {"min_closed_tickets": 0, "closed_tickets_months": 120},
        "points": {"use_max_points": True, "max_points_balance": 10**6},
        "sla-tier": {"sla_tier_ids": [(6, 0, [world.ids["tier_a"]])]},
    }
    segments = []
    for name, extra in criteria.items():
        for target in ("cust_b", "cust_a"):
            segments.append(
                {
                    "name": f"RL {name} {target}",
                    "domain": repr([("id", "=", world.ids[target])]),
                    **extra,
                }
            )
    letter = manager.create(
        "customer.letter",
        {
            "name": "RL cross-company",
            "subject": "x",
            "body": "<p>x</p>",
            "company_id": world.ids["company_a"],
            "segment_ids": [(0, 0, vals) for vals in segments],
        },
    )
    seg_ids = manager.read("customer.letter", [letter], ["segment_ids"])[0][
        "segment_ids"
    ]
    counts = {
        row["name"]: row["recipient_count"]
        for row in manager.read(
            "customer.letter.segment", seg_ids, ["name", "recipient_count"]
        )
    }
    for name in criteria:
        assert counts[f"RL {name} cust_b"] == 0, (name, counts)
    assert counts["RL plain cust_a"] == 1, counts
    # nor can a letter be put in company B by a company A user
    assert _fault(
        lambda: manager.create(
            "customer.letter",
            {"name": "RL in B", "subject": "x", "company_id": world.ids["company_b"]},
        )
    )
