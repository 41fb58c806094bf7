"""Servers, databases and clusters for the reliability tests (no fixtures)."""

import configparser
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from rl_rpc import Rpc, wait_http

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RL_PORTS = range(8675, 8700)  # 8669-8674 are the test command's own ports


def _odoo_src():
    if os.environ.get("ODOO_SRC"):
        return Path(os.environ["ODOO_SRC"])
    import odoo  # noqa: PLC0415 - only to locate odoo-bin

    return Path(odoo.__file__).resolve().parents[1]


ODOO_BIN = _odoo_src() / "odoo-bin"


def _psql(db, sql, **kw):
    out = subprocess.run(
        ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )
    return out.stdout.strip()


def _close_inprocess_connections(db):
    """pytest-odoo keeps pooled connections to the test DB: release them."""
    if "odoo.sql_db" in sys.modules:
        sys.modules["odoo.sql_db"].close_db(db)


def drop_db(name, data_dir=None):
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name],
        check=False,
        capture_output=True,
        timeout=120,
    )
    if data_dir:
        shutil.rmtree(Path(data_dir) / "filestore" / name, ignore_errors=True)


def clone_db(template, name, data_dir=None):
    """createdb -T template name (and the filestore), retrying while busy."""
    drop_db(name, data_dir)
    last = None
    for _ in range(20):
        _close_inprocess_connections(template)
        proc = subprocess.run(
            ["createdb", "-T", template, name],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode == 0:
            break
        last = proc.stderr
        time.sleep(0.5)
    else:
        raise RuntimeError(f"createdb -T {template} {name} failed: {last}")
    if data_dir:
        src = Path(data_dir) / "filestore" / template
        if src.is_dir():
            shutil.copytree(src, Path(data_dir) / "filestore" / name)
    return name


def _port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_used_ports = set()


def free_port():
    for port in RL_PORTS:
        if port not in _used_ports and _port_free(port):
            _used_ports.add(port)
            return port
    raise RuntimeError("no free port in 8675-8699")


def release_port(port):
    _used_ports.discard(port)


class OdooServer:
    """One odoo-bin process on 127.0.0.1, started and stopped by a test."""

    def __init__(self, conf, db, log_dir, workers=0, extra=(), name="srv"):
        self.conf, self.db, self.workers = conf, db, workers
        self.extra = list(extra)
        self.log = Path(log_dir) / f"{name}-{db}.log"
        self.port = free_port()
        self.gevent_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self, timeout=150):
        args = [PYTHON, str(ODOO_BIN), "-c", str(self.conf), "-d", self.db]
        args += ["--db-filter", f"^{self.db}$", "--http-interface", "127.0.0.1"]
        args += ["--http-port", str(self.port), "--gevent-port", str(self.gevent_port)]
        args += ["--workers", str(self.workers), "--max-cron-threads", "0"]
        args += ["--limit-time-real", "300", "--limit-time-cpu", "240"]
        args += ["--limit-memory-soft", str(2**31), "--limit-memory-hard", str(2**32)]
        args += ["--logfile", str(self.log), "--log-level", "warn"]
        args += self.extra
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_http(self.url, timeout=timeout, proc=self.proc):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"Odoo server on {self.url} did not start:\n{tail}")
        return self

    def log_tail(self, lines=60):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def error_entries(self):
        """ERROR/CRITICAL log entries, each with its traceback lines."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        entries, current = [], None
        for line in lines:
            if line[:4].isdigit() and line[4:5] == "-":
                current = None
                if " ERROR " in line or " CRITICAL " in line:
                    current = [line]
                    entries.append(current)
            elif current is not None:
                current.append(line)
        return ["\n".join(entry) for entry in entries]

    def errors_in_log(self, allow=()):
        """Error entries, except those mentioning one of the allow markers."""
        return [e for e in self.error_entries() if not any(m in e for m in allow)]

    def http_workers(self):
        """PIDs of the prefork HTTP workers (children running odoo-bin, not gevent)."""
        if not self.proc:
            return []
        parent = psutil.Process(self.proc.pid)
        pids = []
        for child in parent.children():
            try:
                cmd = child.cmdline()
                # a worker that exited (recycled or killed) and is not reaped yet
                if child.status() == psutil.STATUS_ZOMBIE:
                    continue
            except psutil.Error:
                continue
            if "gevent" not in cmd:
                pids.append(child.pid)
        return pids

    def wait_http_workers(self, count, timeout=30):
        """PIDs of the HTTP workers once there are ``count`` of them: the
        master replaces a dead worker, or recycles one past its limits, in
        its own time. Return the last PIDs seen when it does not settle."""
        deadline = time.monotonic() + timeout
        pids = self.http_workers()
        while len(pids) != count and time.monotonic() < deadline:
            time.sleep(0.5)
            pids = self.http_workers()
        return pids

    def busy_http_worker(self, timeout=30):
        """PID of an HTTP worker serving a request right now (or None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in self.http_workers():
                try:
                    conns = psutil.Process(pid).connections(kind="tcp")
                except psutil.Error:
                    continue
                if any(
                    c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port
                    for c in conns
                ):
                    return pid
            time.sleep(0.01)
        return None

    def rpc(self, login="admin", password=None):
        return Rpc(self.url, self.db, login, password or login)

    def stop(self, timeout=30):
        if not self.proc or self.proc.poll() is not None:
            self._release()
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        # prefork workers live in the same process group; make sure none is left
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._release()

    def _release(self):
        release_port(self.port)
        release_port(self.gevent_port)


def read_conf(path):
    parser = configparser.ConfigParser()
    parser.read(path)
    return dict(parser["options"])


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class ThrowawayCluster:
    """A private PostgreSQL cluster (initdb in a temp dir) that a test may stop.

    The shared cluster serves other people's databases and must never be
    stopped; fault tests stop and restart this one instead.
    """

    def __init__(self, base_dir):
        self.dir = Path(base_dir)
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args, timeout=120):
        return subprocess.run(
            self.as_owner + [str(a) for a in args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def init(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.as_owner:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start()
        user = os.environ.get("PGUSER") or psutil.Process().username()
        self.psql("postgres", f'CREATE ROLE "{user}" SUPERUSER LOGIN', user="postgres")
        return self

    def start(self):
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-o",
            opts,
            "-l",
            self.dir / "pg.log",
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode="immediate"):
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"
        )

    def running(self):
        proc = subprocess.run(
            self.as_owner + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            timeout=30,
        )
        return proc.returncode == 0

    def env(self):
        return {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(self.port)}

    def psql(self, db, sql, user=None):
        args = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]
        if user:
            args += ["-U", user]
        out = subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env(),
        )
        return out.stdout.strip()

    def copy_db_from_shared(self, db):
        """pg_dump db from the shared cluster into this one, same name."""
        subprocess.run(
            ["createdb", db],
            check=True,
            capture_output=True,
            timeout=60,
            env=self.env(),
        )
        dump = subprocess.Popen(
            ["pg_dump", "--no-owner", "-d", db], stdout=subprocess.PIPE
        )
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
            stdin=dump.stdout,
            check=True,
            capture_output=True,
            timeout=300,
            env=self.env(),
        )
        dump.stdout.close()
        assert dump.wait(timeout=60) == 0

    def destroy(self):
        if self.data.exists() and self.running():
            try:
                self.stop()
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        release_port(self.port)


def write_private_conf(conf, cluster, dest, smtp_port=None):
    """An Odoo config like conf but pointing at the throwaway cluster (and
    at a local SMTP sink if smtp_port is given)."""
    parser = configparser.ConfigParser()
    parser.read(conf)
    parser["options"]["db_host"] = "127.0.0.1"
    parser["options"]["db_port"] = str(cluster.port)
    if smtp_port:
        parser["options"]["smtp_server"] = "127.0.0.1"
        parser["options"]["smtp_port"] = str(smtp_port)
    with open(dest, "w") as fh:
        parser.write(fh)
    return dest


# ---------------------------------------------------------------------------
# A local SMTP server that accepts every mail (127.0.0.1 only)
# ---------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: accept, count and drop every mail."""

    def handle(self):
        self.wfile.write(b"220 rl-sink ESMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.server.received += 1
                    self.wfile.write(b"250 OK\r\n")
                continue
            command = line[:4].upper()
            if command == b"EHLO":
                self.wfile.write(b"250-rl-sink\r\n250 8BITMIME\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class _SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    received = 0


class SmtpSink:
    """Mails sent by a server under test succeed (and commit per mail, as
    they do in production) without leaving the machine."""

    def __init__(self):
        self.port = free_port()
        self._server = _SmtpServer(("127.0.0.1", self.port), _SmtpHandler)
        self._thread = threading.Thread(target=self._server.serve_forever)

    @property
    def received(self):
        return self._server.received

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        release_port(self.port)


# ---------------------------------------------------------------------------
# Figures measured by the suite, printed at the end of the pytest session
# ---------------------------------------------------------------------------

FIGURES = {}


def record_figure(name, value):
    FIGURES[name] = value
