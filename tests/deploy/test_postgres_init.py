"""deploy/postgres/init-roles.sh on a throw-away PostgreSQL cluster, the way the postgres
image runs it on a new data volume: as the superuser, over the local socket."""

import glob
import os
import shutil
import tempfile

import pytest
from deploy_helpers import REPO, run

SCRIPT = REPO / "deploy" / "postgres" / "init-roles.sh"
# quotes and a semicolon: the script must not build SQL from them
ODOO_PASSWORD = "od'oo; DROP ROLE postgres; --"
FEEDBACK_PASSWORD = 'feed"back\\pass'


def server_program(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/%s" % name), key=lambda p: int(p.split("/")[4]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        pytest.fail("PostgreSQL's %s is not installed (Debian: postgresql)" % name)
    return path


@pytest.fixture
def cluster():
    folder = tempfile.mkdtemp(prefix="init-roles-")
    data = os.path.join(folder, "data")
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses root
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    try:
        made = run(
            as_postgres
            + [server_program("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        assert made.returncode == 0, made.stderr
        # the superuser over the socket as in the image; everybody else with a password
        with open(os.path.join(data, "pg_hba.conf"), "w", encoding="utf-8") as hba:
            hba.write("local all postgres trust\nlocal all all scram-sha-256\n")
        options = "-c listen_addresses='' -k %s -p 54329" % folder
        started = run(
            as_postgres
            + [server_program("pg_ctl"), "-D", data, "-o", options, "-w", "-l", data + "/log", "start"]
        )
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"PGHOST": folder, "PGPORT": "54329"}
    finally:
        run(as_postgres + [server_program("pg_ctl"), "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def sql(cluster, statement, database="postgres"):
    done = run(
        ["psql", "-X", "-At", "-U", "postgres", "-d", database, "-c", statement],
        env=dict(os.environ, **cluster),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_roles_and_the_feedback_database_are_made_as_the_stack_expects(cluster):
    environ = dict(
        os.environ,
        POSTGRES_USER="postgres",
        ODOO_DB_PASSWORD=ODOO_PASSWORD,
        FEEDBACK_DB_PASSWORD=FEEDBACK_PASSWORD,
        **cluster,
    )
    done = run(["bash", SCRIPT], env=environ)
    assert done.returncode == 0, done.stderr
    roles = sql(
        cluster,
        "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolpassword IS NOT NULL "
        "FROM pg_authid WHERE rolname IN ('odoo', 'feedback', 'postgres') ORDER BY rolname",
    )
    assert roles.splitlines() == ["feedback|f|f|f|t|t", "odoo|f|t|f|t|t", "postgres|t|t|t|t|f"]
    assert (
        sql(cluster, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'feedback'")
        == "feedback"
    )
    # Odoo's role cannot reach the feedback service's database, the feedback role can
    assert sql(cluster, "SELECT has_database_privilege('odoo', 'feedback', 'CONNECT')") == "f"
    assert sql(cluster, "SELECT has_database_privilege('feedback', 'feedback', 'CONNECT')") == "t"
    # each role logs in with the password it was given, quotes and all
    for role, password, database in (
        ("odoo", ODOO_PASSWORD, "postgres"),
        ("feedback", FEEDBACK_PASSWORD, "feedback"),
    ):
        login = run(
            ["psql", "-X", "-At", "-U", role, "-d", database, "-c", "SELECT current_user"],
            env=dict(os.environ, PGPASSWORD=password, **cluster),
        )
        assert login.stdout.strip() == role, login.stderr
        wrong = run(
            ["psql", "-X", "-At", "-U", role, "-d", database, "-c", "SELECT 1"],
            env=dict(os.environ, PGPASSWORD=password + "x", **cluster),
        )
        assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_a_missing_password_stops_the_script_before_any_change(cluster):
    environ = dict(os.environ, POSTGRES_USER="postgres", ODOO_DB_PASSWORD="x" * 20, **cluster)
    environ.pop("FEEDBACK_DB_PASSWORD", None)
    done = run(["bash", SCRIPT], env=environ)
    assert done.returncode != 0
    assert "FEEDBACK_DB_PASSWORD is not set" in done.stderr
    assert sql(cluster, "SELECT count(*) FROM pg_roles WHERE rolname IN ('odoo', 'feedback')") == "0"
