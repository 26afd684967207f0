"""The Odoo image's start step and the feedback provisioning, against a real Odoo 18.0.

What it proves, as the feedback service would notice it: after the start step
(deploy/odoo/entrypoint.sh, which runs deploy/odoo/first_start.py and
deploy/provision_feedback.py through ``odoo shell``) the file the service reads
holds a login and an API key that log in over real XML-RPC and may call
``beneficiary.feedback.import_feedback`` and nothing else; the administrator has
the password of the environment; a second start changes nothing; a key that no
longer works is replaced; a login of an internal user is refused.

How it finds what it needs (the same variables as scripts/test.sh):

* Odoo: ``$ODOO_BIN``, else ``odoo``, else ``odoo-bin`` on PATH. Without one the
  test is skipped, saying so. Odoo's own addons: ``$ODOO_ADDONS_PATH``, else the
  ``addons`` folder beside the ``odoo`` package.
* PostgreSQL: ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD, else
  libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, else 127.0.0.1, 5432, odoo, odoo;
  ``psql`` on PATH.
* The database. Agreed with scripts/test.sh: its Odoo tier sets
  ``ODOO_TEST_DATABASE`` to a database where beneficiary_relations is installed and
  which nothing is connected to; the test works on a copy of it
  (``CREATE DATABASE ... TEMPLATE``) and drops the copy. Without the variable it
  lets the start step create a database from nothing (a few minutes; the full
  first start) and drops it afterwards.

Run alone: ``pytest tests/deploy/test_provision_odoo.py`` (with ``ODOO_TEST_DATABASE=...``
to save the install). It needs only pytest and the standard library, so Odoo's own
Python runs it too: ``$ODOO_PYTHON -m pytest -p no:odoo tests/deploy/test_provision_odoo.py``
(``-p no:odoo`` keeps pytest-odoo, if installed there, out of it).
"""

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import uuid
import xmlrpc.client

import pytest
from deploy_helpers import ODOO_ENTRYPOINT, REPO, load_module, run

pytestmark = pytest.mark.odoo

TOKEN_MODULE = REPO / "addons" / "beneficiary_relations" / "policy" / "feedback_token.py"
ADMIN_PASSWORD = "test-admin-" + uuid.uuid4().hex[:12]
LOGIN = "feedback-service"

INSPECT = """
import json
users = env["res.users"].sudo().with_context(active_test=False)
user = users.search([("login", "=", %(login)r)])
params = env["ir.config_parameter"].sudo()
print("INSPECT " + json.dumps({
    "user_id": user.id,
    "share": user.share,
    "groups": sorted(user.groups_id.get_external_id().values()),
    "api_keys": env["res.users.apikeys"].sudo().search_count([("user_id", "=", user.id)]),
    "secret": params.get_param("beneficiary_relations.feedback_secret"),
    "public_url": params.get_param("beneficiary_relations.feedback_public_url"),
    "link_days": params.get_param("beneficiary_relations.feedback_link_days"),
    "admin_is_internal": not env.ref("base.user_admin").share,
}))
"""


def find_odoo():
    candidate = os.environ.get("ODOO_BIN") or shutil.which("odoo") or shutil.which("odoo-bin")
    if not candidate or not os.path.exists(candidate):
        pytest.skip(
            "no Odoo 18.0 found (set ODOO_BIN or put odoo/odoo-bin on PATH): the Odoo tier did not run"
        )
    return candidate


def odoo_python(odoo_bin):
    if os.environ.get("ODOO_PYTHON"):
        return os.environ["ODOO_PYTHON"]
    with open(odoo_bin, encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    if first.startswith("#!") and "python" in first:
        words = first[2:].split()
        return shutil.which(words[1]) if os.path.basename(words[0]) == "env" else words[0]
    return sys.executable


def core_addons(odoo_bin):
    if os.environ.get("ODOO_ADDONS_PATH"):
        return os.environ["ODOO_ADDONS_PATH"]
    found = run(
        [
            odoo_python(odoo_bin),
            "-c",
            "import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))",
        ]
    )
    source = found.stdout.strip()
    folder = os.path.join(source, "addons")
    return folder if source and os.path.isdir(folder) else ""


def setting(name, libpq_name, default):
    return os.environ.get(name) or os.environ.get(libpq_name) or default


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Odoo:
    """The Odoo found on this machine, with a configuration and an environment for the start step."""

    def __init__(self, folder):
        self.bin = find_odoo()
        self.psql = shutil.which("psql")
        if not self.psql:
            pytest.fail("psql is not installed (Debian: postgresql-client)")
        addons = ",".join(filter(None, [core_addons(self.bin), str(REPO / "addons")]))
        config = folder / "odoo.conf"
        config.write_text(
            "[options]\naddons_path = %s\ndata_dir = %s\nlist_db = False\nmax_cron_threads = 0\n"
            % (addons, folder / "data")
        )
        self.environ = dict(
            os.environ,
            PGHOST=setting("ODOO_DB_HOST", "PGHOST", "127.0.0.1"),
            PGPORT=setting("ODOO_DB_PORT", "PGPORT", "5432"),
            PGUSER=setting("ODOO_DB_USER", "PGUSER", "odoo"),
            PGPASSWORD=setting("ODOO_DB_PASSWORD", "PGPASSWORD", "odoo"),
            ODOO_RC=str(config),
            ODOO_BIN=self.bin,
            ADDONS_DIR=str(REPO / "addons"),
            ODOO_DEMO="false",
            ODOO_LANGUAGE="en_US",  # loading Arabic would only add minutes here
            ODOO_COUNTRY="SA",
            ODOO_ADMIN_PASSWORD=ADMIN_PASSWORD,
            FEEDBACK_ODOO_LOGIN=LOGIN,
            FEEDBACK_PUBLIC_URL="https://rate.example.org",
            FEEDBACK_LINK_DAYS="21",
            BENEFICIARY_FEEDBACK_SECRET="",
        )
        for name in ("FEEDBACK_ENV_FILE_GROUP", "ODOO_DB", "FEEDBACK_ENV_FILE"):
            self.environ.pop(name, None)

    def sql(self, statement, database="postgres"):
        return run(
            [self.psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", statement],
            env=self.environ,
        )

    def drop(self, database):
        self.sql('DROP DATABASE IF EXISTS "%s"' % database)


class Stack:
    """One database, the start step's environment for it, and the calls a person would make."""

    def __init__(self, odoo, folder, database):
        self.odoo, self.tmp, self.db = odoo, folder, database
        self.env_file = folder / "run" / "odoo.env"
        self.port = free_port()
        self.environ = dict(odoo.environ, ODOO_DB=database, FEEDBACK_ENV_FILE=str(self.env_file))
        self.server = None

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                self.server.kill()

    def start_step(self, command="init", **extra):
        return run(["bash", ODOO_ENTRYPOINT, command], env=dict(self.environ, **extra), timeout=900)

    def serve(self):
        """The start step's default command, in the background: prepare, then the server."""
        log = open(self.tmp / "serve.log", "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.server = subprocess.Popen(  # pylint: disable=consider-using-with
            ["bash", ODOO_ENTRYPOINT, "serve", "--http-interface=127.0.0.1", "--http-port=%d" % self.port],
            env=self.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.server.poll() is None, "the server stopped:\n" + self.serve_log()
            try:
                with urllib.request.urlopen(
                    "http://127.0.0.1:%d/web/health" % self.port, timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(1)
        pytest.fail("Odoo did not answer /web/health in 300 s:\n" + self.serve_log())

    def serve_log(self):
        return (self.tmp / "serve.log").read_text(encoding="utf-8", errors="replace")[-6000:]

    def inspect(self, login=LOGIN):
        done = run(
            [self.odoo.bin, "shell", "--database=%s" % self.db, "--no-http", "--log-level=warn"],
            input=INSPECT % {"login": login},
            env=self.environ,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("INSPECT ")]
        assert lines, done.stdout + done.stderr
        return json.loads(lines[-1][len("INSPECT ") :])

    def env_values(self):
        values = {}
        for line in self.env_file.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                values[key] = value.strip("'")
        return values

    def rpc(self, endpoint):
        return xmlrpc.client.ServerProxy(
            "http://127.0.0.1:%d/xmlrpc/2/%s" % (self.port, endpoint), allow_none=True
        )


def new_name():
    return "deploy_test_%s" % uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def odoo(tmp_path_factory):
    return Odoo(tmp_path_factory.mktemp("odoo"))


@pytest.fixture(scope="module")
def template(odoo):
    """A database with the addon installed and nothing provisioned: ODOO_TEST_DATABASE, or one made here."""
    given = os.environ.get("ODOO_TEST_DATABASE")
    if given:
        yield given
        return
    name = new_name()
    made = run(
        [
            odoo.bin,
            "--database=%s" % name,
            "--init=beneficiary_relations",
            "--without-demo=all",
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
        ],
        env=odoo.environ,
        timeout=900,
    )
    try:
        assert made.returncode == 0, made.stderr[-4000:]
        yield name
    finally:
        odoo.drop(name)


@pytest.fixture
def stack(odoo, template, tmp_path):
    """A copy of the template, dropped afterwards."""
    name = new_name()
    done = odoo.sql('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))
    assert done.returncode == 0, "cannot copy database %s (is something connected to it?): %s" % (
        template,
        done.stderr,
    )
    stack = Stack(odoo, tmp_path, name)
    try:
        yield stack
    finally:
        stack.stop()
        odoo.drop(name)


def test_the_first_start_creates_the_database_installs_the_addon_and_provisions(odoo, tmp_path):
    stack = Stack(odoo, tmp_path, new_name())
    try:
        done = stack.start_step("init")
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        assert "first start: creating database %s" % stack.db in done.stdout
        states = odoo.sql(
            "SELECT name, state FROM ir_module_module WHERE name IN ('base', 'beneficiary_relations') ORDER BY name",
            database=stack.db,
        )
        assert states.stdout.split() == ["base|installed", "beneficiary_relations|installed"]
        demo = odoo.sql(
            "SELECT bool_or(demo) FROM ir_module_module WHERE state = 'installed'", database=stack.db
        )
        assert demo.stdout.strip() == "f"  # ODOO_DEMO=false
        company = odoo.sql(
            "SELECT c.code, cur.name FROM res_company co JOIN res_partner p ON p.id = co.partner_id "
            "JOIN res_country c ON c.id = p.country_id JOIN res_currency cur ON cur.id = co.currency_id "
            "WHERE co.id = 1",
            database=stack.db,
        )
        assert company.stdout.strip() == "SA|SAR"
        assert stack.env_values()["ODOO_DB"] == stack.db
        state = stack.inspect()
        assert state["groups"] == ["base.group_portal", "beneficiary_relations.group_feedback_service"]
        assert state["api_keys"] == 1
    finally:
        odoo.drop(stack.db)


def test_the_start_step_gives_the_feedback_service_a_working_login_and_a_second_start_changes_nothing(stack):
    first = stack.start_step("init")
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    assert "feedback provisioning: created the user %s" % LOGIN in first.stdout
    assert "feedback provisioning: generated an API key for %s" % LOGIN in first.stdout

    # the file the feedback containers read: private, complete, for this database
    assert stat.S_IMODE(stack.env_file.stat().st_mode) == 0o600
    values = stack.env_values()
    assert values["ODOO_DB"] == stack.db and values["ODOO_LOGIN"] == LOGIN
    assert len(values["FEEDBACK_SECRET"]) >= 32 and len(values["ODOO_API_KEY"]) >= 32
    file_before = stack.env_file.read_bytes(), stack.env_file.stat().st_mtime_ns
    state = stack.inspect()
    assert state["share"] is True
    assert state["groups"] == ["base.group_portal", "beneficiary_relations.group_feedback_service"]
    assert state["api_keys"] == 1
    assert state["secret"] == values["FEEDBACK_SECRET"]
    assert state["public_url"] == "https://rate.example.org" and state["link_days"] == "21"

    # the second start (the server's own) changes nothing
    stack.serve()
    assert "feedback provisioning: nothing to change" in stack.serve_log()
    assert "first start" not in stack.serve_log()  # ran once, during init
    assert (stack.env_file.read_bytes(), stack.env_file.stat().st_mtime_ns) == file_before
    assert stack.inspect() == state

    # the service's calls, over real XML-RPC
    common, models = stack.rpc("common"), stack.rpc("object")
    uid = common.authenticate(stack.db, LOGIN, values["ODOO_API_KEY"], {})
    assert uid == state["user_id"]
    key = values["ODOO_API_KEY"]
    assert models.execute_kw(stack.db, uid, key, "beneficiary.feedback", "import_feedback", [[]]) == []
    # Odoo checks links with the secret the file gives the service, not with another one
    tokens = load_module("feedback_token_for_deploy_tests", TOKEN_MODULE)
    now = int(time.time())
    item = {
        "rating": 5,
        "comment": "",
        "answers": {},
        "submitted_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
    }
    good = dict(item, token=tokens.make_token(values["FEEDBACK_SECRET"], "REQ/1999/00001", now + 3600))
    other = dict(
        item,
        token=tokens.make_token("another secret of enough length 0123456789", "REQ/1999/00001", now + 3600),
    )
    answer = models.execute_kw(stack.db, uid, key, "beneficiary.feedback", "import_feedback", [[good, other]])
    assert [entry["status"] for entry in answer] == ["rejected", "rejected"]  # no such request in either case
    assert "forged" not in answer[0]["error"] and answer[1]["error"] == "token forged", answer
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        models.execute_kw(stack.db, uid, key, "beneficiary.request", "search_read", [[]], {"limit": 1})
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        models.execute_kw(stack.db, uid, key, "beneficiary.beneficiary", "search_read", [[]], {"limit": 1})

    # the administrator's password is the environment's, no longer Odoo's default
    assert common.authenticate(stack.db, "admin", ADMIN_PASSWORD, {})
    assert not common.authenticate(stack.db, "admin", "admin", {})


def test_a_key_that_no_longer_works_is_replaced_and_the_old_one_revoked(stack):
    assert stack.start_step("provision").returncode == 0
    old = stack.env_values()["ODOO_API_KEY"]
    text = stack.env_file.read_text()
    stack.env_file.write_text(text.replace(old, "0" * len(old)))  # e.g. a file restored from elsewhere
    again = stack.start_step("provision")
    assert again.returncode == 0, again.stderr
    assert "revoked 1 API key(s)" in again.stdout and "generated an API key" in again.stdout
    new = stack.env_values()["ODOO_API_KEY"]
    assert new not in (old, "0" * len(old))
    assert stack.inspect()["api_keys"] == 1
    stack.serve()
    common = stack.rpc("common")
    assert common.authenticate(stack.db, LOGIN, new, {})
    assert not common.authenticate(stack.db, LOGIN, old, {})


def test_the_login_of_an_internal_user_is_refused_and_that_user_left_alone(stack):
    refused = stack.start_step("provision", FEEDBACK_ODOO_LOGIN="admin")
    assert refused.returncode != 0
    assert "the login 'admin' belongs to an internal user" in refused.stderr
    assert not stack.env_file.exists()
    state = stack.inspect(login="admin")
    assert state["admin_is_internal"] is True and state["api_keys"] == 0
    assert "base.group_system" in state["groups"]
