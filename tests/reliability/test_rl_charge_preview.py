"""The expected charge of a ticket (support_charge_preview and the form's
preview fields) is read with sudo(): only who may read the ticket gets it,
and reading it writes nothing."""

from rl_rpc import FAULT_ACCESS
from test_rl_sudo import _fault, _ledger_count, _new_ticket


def test_charge_preview_needs_read_access_to_the_ticket(rl_world):
    world = rl_world
    # a ticket of cust_a2: not the portal user's company, nobody's own ticket
    ticket = _new_ticket(world, "cust_a2_contact")
    for role in ("portal", "hd_own"):
        client = world.rpc(role)
        fault = _fault(
            lambda client=client: client.call(
                "helpdesk.ticket", "support_charge_preview", [ticket]
            )
        )
        assert fault is not None and fault.faultCode == FAULT_ACCESS, role
        fault = _fault(
            lambda client=client: client.read(
                "helpdesk.ticket",
                [ticket],
                ["support_charge_preview_message", "support_charge_customer_message"],
            )
        )
        assert fault is not None and fault.faultCode == FAULT_ACCESS, role
    # an agent who may read it gets the preview; nothing is written
    before = _ledger_count(world, "cust_a2")
    preview = world.rpc("hd_all").call(
        "helpdesk.ticket", "support_charge_preview", [ticket]
    )
    assert preview["charge_state"] in ("charged", "fee", "free"), preview
    assert _ledger_count(world, "cust_a2") == before
    state = world.admin.read("helpdesk.ticket", [ticket], ["support_charge_state"])
    assert state[0]["support_charge_state"] == "none"
