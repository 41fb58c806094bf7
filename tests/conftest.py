"""End-to-end fixtures: real Odoo server processes on copies of the test DB.

``setup/test`` installs the add-ons into a fresh database and exports
SUPPORT_TEST_DB and SUPPORT_ODOO_CONF. The ``odoo_server`` fixture is a factory:
``odoo_server(workers=0)`` copies that database (``createdb -T``) into a
throwaway one, starts ``odoo-bin`` on a free loopback port with a db-filter on
the copy, waits until it answers and returns an ``OdooServer`` (url, db, port,
conf, log). Servers started with the same arguments are shared by the whole
session; all are stopped and their databases dropped at the end.
"""

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = os.path.join(REPO, "setup")
if SETUP not in sys.path:
    sys.path.insert(0, SETUP)

from support_setup import odoo_env  # noqa: E402

ODOO_BIN = os.path.join(os.environ.get("ODOO_SRC", "/opt/odoo-src"), "odoo-bin")
ADMIN_LOGIN = ADMIN_PASSWORD = "admin"
_counter = itertools.count(1)


def source_db():
    db = os.environ.get("SUPPORT_TEST_DB")
    if not db:
        pytest.fail(
            "SUPPORT_TEST_DB is not set: run the end-to-end tests through setup/test"
        )
    return db


def source_conf():
    conf = os.environ.get("SUPPORT_ODOO_CONF")
    if not conf or not os.path.exists(conf):
        pytest.fail(
            "SUPPORT_ODOO_CONF is not set: run the end-to-end tests through setup/test"
        )
    return conf


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_test_db(suffix):
    """A throwaway copy of the freshly installed test database."""
    source = source_db()
    target = f"{source}_{suffix}"
    odoo_env.copy_db(source, target, odoo_env.data_dir(source_conf()))
    return target


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", "--force", name], check=False)


class OdooServer:
    """A running odoo-bin process serving one database."""

    def __init__(self, db, conf, workers=0, extra_args=(), log_dir="/tmp"):
        self.db, self.conf, self.workers = db, conf, workers
        self.port = free_port()
        self.gevent_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = os.path.join(log_dir, f"odoo-{db}.log")
        cmd = [
            sys.executable,
            ODOO_BIN,
            "-c",
            conf,
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            f"--logfile={self.log}",
            "--log-level=warn",
            *extra_args,
        ]
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        self.wait_ready()

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"odoo-bin exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(
                    f"{self.url}/web/health", timeout=5
                ) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"odoo-bin did not answer on {self.url}:\n{self.log_tail()}")

    def log_tail(self, lines=40):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def rpc(self, login=ADMIN_LOGIN, password=ADMIN_PASSWORD):
        """An odoorpc connection to this server."""
        import odoorpc

        odoo = odoorpc.ODOO("127.0.0.1", port=self.port, timeout=300)
        odoo.login(self.db, login, password)
        return odoo


@pytest.fixture(scope="session")
def odoo_server(tmp_path_factory):
    """Factory: ``odoo_server(workers=0, extra_args=(), fresh=False)`` -> OdooServer."""
    started = {}
    log_dir = str(tmp_path_factory.mktemp("odoo-logs"))

    def start(workers=0, extra_args=(), fresh=False):
        key = (workers, tuple(extra_args))
        if not fresh and key in started and started[key].process.poll() is None:
            return started[key]
        db = copy_test_db(f"srv{next(_counter)}")
        try:
            server = OdooServer(db, source_conf(), workers, extra_args, log_dir)
        except Exception:
            drop_db(db)
            raise
        started[key if not fresh else (key, db)] = server
        return server

    yield start
    for server in started.values():
        server.stop()
        drop_db(server.db)


@pytest.fixture
def scratch_db():
    """Factory: ``scratch_db("seed")`` -> name of a fresh copy of the test DB.

    Dropped after the test.
    """
    made = []

    def make(suffix):
        db = copy_test_db(suffix)
        made.append(db)
        return db

    yield make
    for db in made:
        drop_db(db)


@pytest.fixture
def odoo_conf():
    """The Odoo config file setup/test wrote for the test database."""
    return source_conf()
