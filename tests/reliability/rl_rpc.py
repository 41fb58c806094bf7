"""Small RPC and HTTP clients for the reliability tests.

Kept free of any Odoo import: the load clients run in separate (spawned)
processes and talk to the server only over the wire, like a real client.
"""

import http.client
import json
import time
import xmlrpc.client

import requests

# XML-RPC fault codes of /xmlrpc/2 (odoo/addons/base/controllers/rpc.py)
FAULT_APPLICATION = 1  # anything that is not a user/access error: a "500"
FAULT_USER = 2  # UserError, ValidationError, RedirectWarning
FAULT_ACCESS_DENIED = 3
FAULT_ACCESS = 4  # AccessError

# What PostgreSQL / Odoo say when a transaction lost a race; Odoo already
# retries these server-side a few times and only then reports them.
CONCURRENCY_MARKERS = (
    "could not serialize access",
    "TransactionRollbackError",
    "SerializationFailure",
    "deadlock detected",
    "concurrent update",
    "LockNotAvailable",
    "could not obtain lock",
)


def is_concurrency_fault(exc):
    text = getattr(exc, "faultString", None) or str(exc)
    return any(marker in text for marker in CONCURRENCY_MARKERS)


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn

    def request(self, host, handler, request_body, verbose=False):
        # The stdlib silently re-sends a request once when the connection was
        # reset: a blind retry of a write whose fate is unknown.  Send once.
        try:
            return self.single_request(host, handler, request_body, verbose)
        except Exception:
            self.close()
            raise


class Rpc:
    """execute_kw over /xmlrpc/2 as one user."""

    def __init__(self, url, db, login, password, timeout=120):
        self.url, self.db, self.login, self.password = url, db, login, password
        self.timeout = timeout
        common = self._proxy("common")
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise PermissionError(f"cannot log in as {login} on {db}")
        self._object = self._proxy("object")

    def _proxy(self, service):
        return xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/{service}",
            allow_none=True,
            transport=_Transport(self.timeout),
        )

    def call(self, model, method, *args, **kwargs):
        return self._object.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def call_retrying(self, model, method, *args, attempts=30, stats=None, **kwargs):
        """Call, retrying only what the server reports as a lost race."""
        for attempt in range(attempts):
            try:
                return self.call(model, method, *args, **kwargs)
            except xmlrpc.client.Fault as exc:
                if not is_concurrency_fault(exc) or attempt == attempts - 1:
                    raise
                if stats is not None:
                    stats["retries"] = stats.get("retries", 0) + 1
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # shorthands
    def search(self, model, domain, **kw):
        return self.call(model, "search", domain, **kw)

    def count(self, model, domain=()):
        return self.call(model, "search_count", list(domain))

    def read(self, model, ids, fields):
        return self.call(model, "read", ids, fields)

    def search_read(self, model, domain, fields, **kw):
        return self.call(model, "search_read", domain, fields, **kw)

    def create(self, model, vals):
        return self.call(model, "create", vals)

    def write(self, model, ids, vals):
        return self.call(model, "write", ids, vals)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.search_read(
            "ir.model.data",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return rows[0]["res_id"] if rows else False


def web_session(url, db, login, password, timeout=60):
    """A requests.Session logged in through /web/session/authenticate."""
    session = requests.Session()
    resp = session.post(
        f"{url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": db, "login": login, "password": password},
        },
        timeout=timeout,
    )
    resp.raise_for_status()
    body = resp.json()
    if body.get("error") or not body.get("result", {}).get("uid"):
        raise PermissionError(f"cannot log in as {login}: {json.dumps(body)[:300]}")
    return session


def wait_http(url, timeout=120, proc=None):
    """Wait until the server answers /web/health; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            resp = requests.get(f"{url}/web/health", timeout=5)
            if resp.status_code == 200:
                return True
        except (requests.RequestException, http.client.HTTPException, OSError):
            pass
        time.sleep(0.3)
    return False


class RpcError(Exception):
    """An error answered over JSON-RPC: exception class name and message."""

    def __init__(self, name, message, debug=""):
        super().__init__(f"{name}: {message}")
        self.name, self.message, self.debug = name, message, debug

    @property
    def is_server_error(self):
        """Not an error meant for a person (UserError & co): a "500"."""
        return not self.name.startswith("odoo.exceptions.")


class JsonRpc:
    """execute_kw over /jsonrpc: unbounded integers, typed errors."""

    def __init__(self, url, db, login, password, timeout=120):
        self.url, self.db, self.password, self.timeout = url, db, password, timeout
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise PermissionError(f"cannot log in as {login} on {db}")

    def _call(self, service, method, *args):
        resp = requests.post(
            f"{self.url}/jsonrpc",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": list(args)},
            },
            timeout=self.timeout,
        )
        resp.raise_for_status()
        body = resp.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            raise RpcError(
                data.get("name", "unknown"),
                data.get("message", body["error"].get("message", "")),
                data.get("debug", ""),
            )
        return body.get("result")

    def call(self, model, method, *args, **kwargs):
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )

    def count(self, model, domain=()):
        return self.call(model, "search_count", list(domain))
