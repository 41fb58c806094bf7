"""Load clients for the concurrency and fault tests (run in spawned processes).

Each task is a plain function of JSON-able arguments returning a dict, so
``multiprocessing`` (spawn) can run it in a fresh interpreter that talks to the
server over XML-RPC only.
"""

import http.client
import multiprocessing
import time
import xml.parsers.expat
import xmlrpc.client

from rl_rpc import FAULT_APPLICATION, Rpc, is_concurrency_fault


def _wait_until(start_at):
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)


def _record_fault(result, what, exc):
    kind = "server_errors" if exc.faultCode == FAULT_APPLICATION else "user_errors"
    result[kind].append(f"{what}: {exc.faultString[-400:]}")


def run_task(task):
    """Run one client task; never raises (errors are returned for asserts)."""
    result = {
        "kind": task["kind"],
        "done": [],
        "server_errors": [],
        "user_errors": [],
        "transport_errors": [],
        "retries": 0,
    }
    stats = {}
    try:
        rpc = Rpc(task["url"], task["db"], task["login"], task["password"])
    except Exception as exc:  # noqa: BLE001 - reported to the test
        result["transport_errors"].append(f"login: {exc!r}")
        return result
    _wait_until(task["start_at"])
    for item in task["items"]:
        model, method, args, kwargs = item
        try:
            rpc.call_retrying(
                model,
                method,
                *args,
                stats=stats,
                attempts=task.get("attempts", 40),
                **kwargs,
            )
            result["done"].append(args[0] if args else None)
        except xmlrpc.client.Fault as exc:
            if is_concurrency_fault(exc):
                result["user_errors"].append(f"gave up retrying {item!r}")
            else:
                _record_fault(result, repr(item)[:200], exc)
        except (
            OSError,
            http.client.HTTPException,
            xmlrpc.client.ProtocolError,
            xml.parsers.expat.ExpatError,
        ) as exc:
            # a dropped connection (worker killed) is not retried blindly:
            # the caller checks what the server committed and re-runs
            result["transport_errors"].append(f"{item!r}: {exc!r}"[:300])
        if task.get("pause"):
            time.sleep(task["pause"])
    result["retries"] = stats.get("retries", 0)
    return result


def run_parallel(tasks, timeout=600):
    """Run tasks in one spawned process each, all starting together."""
    start_at = time.time() + 2.0 + 0.3 * len(tasks)
    for task in tasks:
        task["start_at"] = start_at
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(tasks)) as pool:
        async_result = pool.map_async(run_task, tasks, chunksize=1)
        return async_result.get(timeout=timeout)
