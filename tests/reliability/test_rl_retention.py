"""support_retention: the health score reads every customer's tickets,
invoices, letters and ledger with sudo() (aggregates per customer, never
records); only retention managers can start a computation or a backtest,
and nobody can call the computation directly over RPC."""

import xmlrpc.client

from rl_rpc import FAULT_ACCESS, FAULT_USER


def _fault(call):
    try:
        call()
    except xmlrpc.client.Fault as exc:
        assert exc.faultCode in (FAULT_ACCESS, FAULT_USER), exc.faultString[-1500:]
        return exc
    return None


def test_retention_computation_needs_a_retention_manager(rl_world):
    world = rl_world
    for role in ("portal", "hd_own", "hd_all", "points_mgr", "letters_mgr"):
        rpc = world.rpc(role)
        assert _fault(
            lambda r=rpc: r.call("support.retention.score", "action_compute_now")
        ), role
        assert _fault(
            lambda r=rpc: r.create(
                "support.retention.backtest", {"date_last": "2020-01-01"}
            )
        ), role
        # the aggregates behind the sudo() are private: not callable remotely
        assert _fault(
            lambda r=rpc: r.call(
                "support.retention.backtest",
                "_activity_by_partner",
                world.ids["company_a"],
                "2020-01-01",
                "2021-01-01",
            )
        ), role
        assert _fault(
            lambda r=rpc: r.call(
                "support.retention.score",
                "_compute_scores",
                [world.ids["cust_b"]],
                world.ids["company_b"],
                "2021-01-01 00:00:00",
            )
        ), role
    # the control: a retention manager (the admin) may
    world.admin.call("support.retention.score", "action_compute_now")
