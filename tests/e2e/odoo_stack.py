"""A real Odoo 18.0 with the addon, and the real feedback service beside it, on 127.0.0.1.

Used by the end-to-end test (tests/e2e/) and the real-Odoo fault test
(tests/faults/); their conftest.py files turn these into fixtures.

What is found where (the same discovery as scripts/test.sh):

* Odoo: ``$ODOO_BIN``, else ``odoo``, else ``odoo-bin`` on PATH; its Python is
  ``$ODOO_PYTHON`` or the launcher's ``#!`` line. Without an Odoo 18.0 the tests
  are skipped, saying why.
* The database. scripts/test.sh sets ``ODOO_TEST_DATABASE`` (the demo database of
  its Odoo tier, the addon installed WITH demo data, nothing connected to it)
  and ``ODOO_TEST_CONFIG`` (the Odoo configuration it was made with: addons
  path, PostgreSQL, data_dir). Each stack works on a copy (``CREATE DATABASE ...
  TEMPLATE`` and a copy of its filestore, where the demo documents are) and drops
  it. Without ``ODOO_TEST_DATABASE`` the stack installs the addon with demo data
  into a new database itself (a minute or two).
* PostgreSQL: ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD (or
  the configuration's db_* values), else 127.0.0.1:5432, odoo/odoo; ``psql``.

Databases are named ``e2e_...``; servers listen on free ports of 8380-8399
(else any free port), on 127.0.0.1 only. Every wait has a deadline.
"""

import configparser
import hashlib
import http.client
import importlib.util
import os
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
import xmlrpc.client

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SERVICE = REPO / "services" / "feedback"
PROVISION_SCRIPT = REPO / "deploy" / "provision_feedback.py"
TOKEN_MODULE = REPO / "services" / "feedback" / "feedback" / "tokens.py"
PORTS = range(8380, 8400)
SECRET = "e2e-shared-secret-" + uuid.uuid4().hex  # 50 characters, new on every run
ADMIN_PASSWORD = "e2e-admin-" + uuid.uuid4().hex[:16]
SERVICE_LOGIN = "feedback-service"
SKIP_REASON = "no Odoo 18.0 found (set ODOO_BIN or put odoo/odoo-bin on PATH); scripts/test.sh runs this in its Odoo tier"


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HANDED_OUT = set()


def free_port():
    """A free port in PORTS not handed out before, else any free loopback port."""
    for port in [*PORTS, 0]:
        if port in _HANDED_OUT:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = probe.getsockname()[1]
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port on 127.0.0.1")


def wait_for(condition, timeout, what, process=None, log=None):
    """Poll `condition` until it is true; fail after `timeout` seconds (or when `process` dies)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done = condition()
        except (OSError, xmlrpc.client.Error, ValueError):  # not up yet
            done = False
        if done:
            return
        if process is not None and process.poll() is not None:
            pytest.fail("%s: the process stopped (exit %s)\n%s" % (what, process.returncode, log() if log else ""))
        if time.monotonic() > deadline:
            pytest.fail("%s: nothing after %ss\n%s" % (what, timeout, log() if log else ""))
        time.sleep(0.2)


def http_ok(url, timeout=3):
    """True when `url` answers 200 (HTTP only, 127.0.0.1)."""
    host_port, _, path = url.split("//", 1)[1].partition("/")
    host, port = host_port.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + path)
        return connection.getresponse().status == 200
    finally:
        connection.close()


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a timeout on connect and on every read."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def rpc(url, endpoint, timeout=60):
    return xmlrpc.client.ServerProxy(
        "%s/xmlrpc/2/%s" % (url, endpoint), transport=_Transport(timeout), allow_none=True
    )


def read_log(path, size=6000):
    try:
        return pathlib.Path(path).read_text(encoding="utf-8", errors="replace")[-size:]
    except OSError:
        return ""


def stop_process(process, grace=20):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


# ----------------------------------------------------------------------------- Odoo


class OdooInstall:
    """The Odoo 18.0 of this machine and how to reach PostgreSQL; `skip` when there is none."""

    def __init__(self, folder):
        candidate = os.environ.get("ODOO_BIN") or shutil.which("odoo") or shutil.which("odoo-bin")
        if not candidate or not os.path.exists(candidate):
            pytest.skip(SKIP_REASON)
        self.bin = candidate
        self.python = os.environ.get("ODOO_PYTHON") or self._launcher_python(candidate)
        if not self.python:
            pytest.skip("cannot tell which Python runs %s: set ODOO_PYTHON" % candidate)
        shebang_python = self._launcher_python(candidate) is not None
        self.command = [self.python, candidate] if shebang_python or not os.access(candidate, os.X_OK) else [candidate]
        found = subprocess.run(
            [self.python, "-c",
             "import os, odoo.release as r; print(r.serie); print(os.path.dirname(os.path.dirname(r.__file__)))"],
            capture_output=True, text=True, timeout=120, check=False,
        )
        lines = found.stdout.split()
        if found.returncode != 0 or not lines or lines[0] != "18.0":
            pytest.skip("%s is not an Odoo 18.0 that %s can import: %s" % (candidate, self.python, found.stderr[-300:]))
        given = configparser.ConfigParser(interpolation=None)
        self.template_config = os.environ.get("ODOO_TEST_CONFIG")
        if self.template_config:
            given.read(self.template_config)
        options = dict(given["options"]) if given.has_section("options") else {}
        core = os.environ.get("ODOO_ADDONS_PATH") or os.path.join(lines[1], "addons")
        self.addons_path = options.get("addons_path") or ",".join([core, str(REPO / "addons")])
        self.template_data_dir = options.get("data_dir")
        self.db = {
            "host": os.environ.get("ODOO_DB_HOST") or options.get("db_host") or "127.0.0.1",
            "port": os.environ.get("ODOO_DB_PORT") or options.get("db_port") or "5432",
            "user": os.environ.get("ODOO_DB_USER") or options.get("db_user") or "odoo",
            "password": os.environ.get("ODOO_DB_PASSWORD") or options.get("db_password") or "odoo",
        }
        self.folder = folder
        self.data_dir = folder / "data"
        self.config = folder / "odoo.conf"
        self.config.write_text(
            "[options]\naddons_path = %s\ndata_dir = %s\ndb_host = %s\ndb_port = %s\ndb_user = %s\n"
            "db_password = %s\nlist_db = False\nmax_cron_threads = 0\n"
            % (self.addons_path, self.data_dir, *self.db.values()),
            encoding="utf-8",
        )
        self.environ = {
            key: value for key, value in os.environ.items()
            # Odoo reads its secret from BENEFICIARY_FEEDBACK_SECRET first; the test sets it in the database.
            if key not in ("ODOO_RC", "BENEFICIARY_FEEDBACK_SECRET")
        }
        self.environ.update(PGHOST=self.db["host"], PGPORT=str(self.db["port"]), PGUSER=self.db["user"],
                            PGPASSWORD=self.db["password"])

    @staticmethod
    def _launcher_python(path):
        try:
            with open(path, encoding="utf-8", errors="replace") as launcher:
                first = launcher.readline()
        except OSError:
            return None
        if first.startswith("#!") and "python" in first:
            words = first[2:].split()
            return shutil.which(words[1]) if os.path.basename(words[0]) == "env" else words[0]
        return None

    def odoo(self, *args, timeout=600, **kwargs):
        return subprocess.run(
            [*self.command, *args], env=self.environ, capture_output=True, text=True, timeout=timeout,
            check=False, **kwargs,
        )

    def sql(self, statement, database="postgres"):
        psql = shutil.which("psql")
        if not psql:
            pytest.fail("psql is not installed (Debian: postgresql-client)")
        done = subprocess.run(
            [psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", statement],
            env=self.environ, capture_output=True, text=True, timeout=120, check=False,
        )
        assert done.returncode == 0, "psql: %s\n%s" % (statement, done.stderr)
        return done.stdout.strip()

    def new_database(self, purpose):
        """A database with the addon and demo data, made for this test only; returns its name."""
        name = "e2e_%s_%s" % (purpose, uuid.uuid4().hex[:8])
        template = os.environ.get("ODOO_TEST_DATABASE")
        if template:
            self.sql('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))
            source = pathlib.Path(self.template_data_dir or "/nonexistent") / "filestore" / template
            if source.is_dir():
                shutil.copytree(source, self.data_dir / "filestore" / name)
            return name
        made = self.odoo("-c", str(self.config), "-d", name, "-i", "beneficiary_relations",
                         "--stop-after-init", "--no-http", "--log-level=warn", timeout=900)
        if made.returncode != 0:
            self.drop_database(name)
            pytest.fail("installing beneficiary_relations with demo data failed:\n" + made.stderr[-4000:])
        return name

    def drop_database(self, name):
        self.sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        shutil.rmtree(self.data_dir / "filestore" / name, ignore_errors=True)


PREPARE = """
import importlib.util, json
spec = importlib.util.spec_from_file_location("provision_feedback", %(provision)r)
provision_feedback = importlib.util.module_from_spec(spec)
spec.loader.exec_module(provision_feedback)
env["ir.config_parameter"].sudo().set_param("beneficiary_relations.feedback_secret", %(secret)r)
env.ref("base.user_admin").sudo().password = %(admin_password)r
changes = provision_feedback.provision(env, provision_feedback.Settings(
    login=%(login)r, env_file=%(env_file)r, public_url=%(public_url)r, link_days=30))
env.cr.commit()
print("E2E-PREPARED " + json.dumps(changes))
"""


class OdooServer:
    """One database of its own, prepared like a deployment, served over HTTP on 127.0.0.1."""

    def __init__(self, install, purpose, folder, public_url):
        self.install, self.folder = install, folder
        self.database = install.new_database(purpose)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = folder / ("odoo-%s.log" % purpose)
        self.process = None
        self.service_env = self._prepare(public_url)

    def _prepare(self, public_url):
        """Secret, public URL, admin password, and the Feedback Service user with its API key.

        The user and key come from deploy/provision_feedback.py, as in a deployment:
        a portal user in the Feedback Service group, a key in a 0600 file.
        """
        if not PROVISION_SCRIPT.exists():
            pytest.fail("%s is missing: it makes the Feedback Service user and API key" % PROVISION_SCRIPT)
        env_file = self.folder / ("feedback-%s.env" % self.database)
        script = PREPARE % {
            "provision": str(PROVISION_SCRIPT), "secret": SECRET, "admin_password": ADMIN_PASSWORD,
            "login": SERVICE_LOGIN, "env_file": str(env_file), "public_url": public_url,
        }
        done = self.install.odoo("shell", "-c", str(self.install.config), "-d", self.database, "--no-http",
                                 "--log-level=warn", input=script, timeout=300)
        assert "E2E-PREPARED" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
        values = load_module("e2e_provision_feedback", PROVISION_SCRIPT).read_env_file(str(env_file))
        assert values.get("ODOO_DB") == self.database and values.get("FEEDBACK_SECRET") == SECRET, values
        return values

    def start(self, timeout=180):
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [*self.install.command, "-c", str(self.install.config), "-d", self.database,
                 "--db-filter=^%s$" % self.database, "--http-interface=127.0.0.1", "--http-port=%d" % self.port,
                 "--workers=0", "--max-cron-threads=0", "--log-level=warn"],
                env=self.install.environ, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_for(lambda: http_ok(self.url + "/web/health"), timeout, "Odoo's /web/health",
                 self.process, self.log)
        return self

    def stop(self):
        stop_process(self.process)

    def log(self):
        return read_log(self.log_path)

    def admin(self):
        """(execute(model, method, *args, **kwargs)) as the administrator over XML-RPC."""
        uid = rpc(self.url, "common").authenticate(self.database, "admin", ADMIN_PASSWORD, {})
        assert uid, "the administrator cannot log in"
        models = rpc(self.url, "object")

        def execute(model, method, *args, **kwargs):
            return models.execute_kw(self.database, uid, ADMIN_PASSWORD, model, method, list(args), kwargs)

        return execute

    def drop(self):
        self.stop()
        self.install.drop_database(self.database)


# ------------------------------------------------------------------ the feedback service


class FeedbackService:
    """The service under gunicorn with its gunicorn.conf.py, on SQLite, and its command line."""

    def __init__(self, folder, odoo_values, odoo_url, port=None):
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.folder = folder
        self.database = folder / "feedback.sqlite3"
        self.log_path = folder / "gunicorn.log"
        self.environ = {key: value for key, value in os.environ.items() if not key.startswith(("FEEDBACK_", "ODOO_"))}
        self.environ.update(
            FEEDBACK_SECRET=odoo_values["FEEDBACK_SECRET"],
            FEEDBACK_DATABASE_URL="sqlite:///%s" % self.database,
            FEEDBACK_PUBLIC_URL=self.url,
            FEEDBACK_BIND="127.0.0.1:%d" % self.port,
            FEEDBACK_WORKERS="2",
            FEEDBACK_LOG_LEVEL="warning",
            ODOO_URL=odoo_url,
            ODOO_DB=odoo_values["ODOO_DB"],
            ODOO_LOGIN=odoo_values["ODOO_LOGIN"],
            ODOO_API_KEY=odoo_values["ODOO_API_KEY"],
            ODOO_CONNECT_TIMEOUT="2",
            ODOO_READ_TIMEOUT="60",
            FEEDBACK_SYNC_BACKOFF_BASE="0.05",
            FEEDBACK_SYNC_BACKOFF_MAX="0.5",
        )
        self.process = None

    def flask(self, *args, timeout=120):
        """`flask --app feedback ARGS` in services/feedback, as an operator runs it."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "feedback", *args], cwd=SERVICE, env=self.environ,
            capture_output=True, text=True, timeout=timeout, check=False,
        )

    def start(self, timeout=60):
        upgraded = self.flask("db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "feedback:create_app()"],
                cwd=SERVICE, env=self.environ, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_for(lambda: http_ok(self.url + "/readyz"), timeout, "the feedback service's /readyz",
                 self.process, lambda: read_log(self.log_path))
        return self

    def stop(self):
        stop_process(self.process)

    def outbox_states(self):
        """{state: rows} straight from the service's SQLite file."""
        with sqlite3.connect(self.database, timeout=10) as connection:
            return dict(connection.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def token_reference(token):
    """What Odoo keeps of a link (beneficiary.feedback.token_ref): its SHA-256."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Stack:
    """Odoo (own database, prepared, serving) and the feedback service pointed at it; torn down on exit."""

    def __init__(self, tmp_path_factory, purpose):
        self.folder = tmp_path_factory.mktemp(purpose)
        self.purpose = purpose
        self.install = self.odoo = self.service = None

    def __enter__(self):
        self.install = OdooInstall(self.folder)
        service_port = free_port()
        try:
            self.odoo = OdooServer(self.install, self.purpose, self.folder, "http://127.0.0.1:%d" % service_port)
            self.odoo.start()
            self.service = FeedbackService(self.folder, self.odoo.service_env, self.odoo.url, port=service_port)
            self.service.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_exc):
        if self.service is not None:
            self.service.stop()
        if self.odoo is not None:
            self.odoo.drop()
