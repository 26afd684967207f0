import os
import subprocess
import sys

import pytest

from feedback import create_app, db
from feedback.config import ConfigError

from helpers import SECRET, SERVICE, make_app


def test_refuses_to_start_without_the_secret():
    with pytest.raises(ConfigError, match="FEEDBACK_SECRET is not set"):
        create_app({"FEEDBACK_DATABASE_URL": "sqlite://"})


def test_refuses_a_short_secret():
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"FEEDBACK_SECRET": "short", "FEEDBACK_DATABASE_URL": "sqlite://"})


def _issue_link(**environ):
    """`flask issue-link` run with `environ` only (none of the shell's FEEDBACK_ or ODOO_ variables)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FEEDBACK_", "ODOO_"))}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "feedback", "issue-link", "--ref", "REQ/1"],
        capture_output=True, text=True, env=dict(env, **environ), cwd=SERVICE,
    )


def test_the_flask_command_says_why_it_will_not_start():
    result = _issue_link()
    assert result.returncode != 0
    assert "FEEDBACK_SECRET is not set" in result.stderr


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)
    monkeypatch.setenv("FEEDBACK_PUBLIC_URL", "https://rate.example.org/")
    monkeypatch.setenv("FEEDBACK_RATELIMIT_STORAGE_URL", "memory://")
    monkeypatch.setenv("ODOO_URL", "http://127.0.0.1:8069/")
    monkeypatch.setenv("ODOO_DB", "assoc")
    monkeypatch.setenv("FEEDBACK_SYNC_BATCH_SIZE", "50")
    app = create_app()
    assert app.config["FEEDBACK_PUBLIC_URL"] == "https://rate.example.org"
    assert app.config["ODOO_URL"] == "http://127.0.0.1:8069"
    assert app.config["ODOO_DB"] == "assoc"
    assert app.config["FEEDBACK_SYNC_BATCH_SIZE"] == 50
    assert app.config["SESSION_COOKIE_SECURE"] is True
    # The default database is a SQLite file in the instance folder.
    assert app.config["FEEDBACK_DATABASE_URL"] == "sqlite:///" + os.path.join(app.instance_path, "feedback.sqlite3")
    # Flask's session key is derived, not the shared secret itself.
    assert SECRET not in app.config["SECRET_KEY"]


def test_a_bad_number_in_the_environment_is_named(monkeypatch):
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)
    monkeypatch.setenv("FEEDBACK_SYNC_BATCH_SIZE", "lots")
    with pytest.raises(ConfigError, match="FEEDBACK_SYNC_BATCH_SIZE must be a whole number"):
        create_app()


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("FEEDBACK_RATELIMIT_PER_CLIENT", "lots", "must be rate limits such as '30 per minute'"),
        ("FEEDBACK_RATELIMIT_PER_TOKEN", "5 per fortnight", "must be rate limits such as '30 per minute'"),
        ("ODOO_URL", "erp.example.org", "must be an address starting with http:// or https://"),
        ("ODOO_URL", "ftp://sync:hunter2-odoo-pass@erp.example.org", "must be an address starting with http://"),
        ("ODOO_URL", "https://erp.example.org:https", "must be an address starting with http://"),
        ("FEEDBACK_PUBLIC_URL", "rate.example.org", "must be an address starting with http:// or https://"),
        ("FEEDBACK_DATABASE_URL", "lots", "is not a database URL SQLAlchemy can use"),
        ("FEEDBACK_DATABASE_URL", "postgres://feedback:hunter2-db-pass@db/feedback", "Can't load plugin"),
        ("FEEDBACK_DATABASE_URL", "postgresql://feedback:hunter2-db-pass@db/feedback",
         "write postgresql+psycopg://"),
        ("FEEDBACK_RATELIMIT_STORAGE_URL", "redis", "is not a storage the rate limits can use"),
        ("FEEDBACK_RATELIMIT_STORAGE_URL", "rediss://:hunter2-redis-pass@redis:port/0", "is not a storage"),
    ],
    ids=["per-client", "per-token", "odoo-no-scheme", "odoo-ftp", "odoo-port", "public-no-scheme",
         "database-garbage", "database-dialect", "database-driver", "storage-garbage", "storage-port"],
)
def test_a_setting_that_cannot_work_stops_the_start_and_is_named(monkeypatch, name, value, message):
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="^%s " % name) as refused:
        create_app()
    assert message in str(refused.value)
    assert "hunter2" not in str(refused.value)  # a password in the URL stays out of the message


def test_the_flask_command_names_a_rate_limit_it_cannot_read():
    result = _issue_link(
        FEEDBACK_SECRET=SECRET, FEEDBACK_DATABASE_URL="sqlite://", FEEDBACK_RATELIMIT_PER_CLIENT="lots"
    )
    assert result.returncode != 0
    assert "FEEDBACK_RATELIMIT_PER_CLIENT must be rate limits" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e11"])
def test_a_wait_that_is_no_number_of_seconds_is_refused(monkeypatch, value):
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)
    monkeypatch.setenv("FEEDBACK_SYNC_STALE_AFTER", value)
    with pytest.raises(ConfigError, match="FEEDBACK_SYNC_STALE_AFTER must be"):
        create_app()


def test_sqlite_runs_in_wal_mode(tmp_path):
    app = make_app("sqlite:///%s" % (tmp_path / "nested" / "feedback.sqlite3"))
    with app.app_context(), db.engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert (tmp_path / "nested" / "feedback.sqlite3-wal").exists()


SERVE_PAGES = """
import sys
from feedback import create_app
from feedback.tokens import issue_token
app = create_app({"FEEDBACK_SECRET": sys.argv[1], "FEEDBACK_DATABASE_URL": sys.argv[2]})
client = app.test_client()
statuses = [client.get("/healthz").status_code, client.get("/r/" + issue_token(sys.argv[1], "REQ/1", 30)).status_code]
print(statuses, sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "mako", "pygments"}))
"""


def test_a_web_worker_does_not_carry_the_migration_tools(tmp_path):
    # Alembic (with Mako and Pygments) is about 10 MiB per worker; pages and /healthz never need it.
    url = "sqlite:///%s" % (tmp_path / "feedback.sqlite3")
    make_app(url)  # the schema, made here beforehand as `flask db upgrade` would
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FEEDBACK_", "ODOO_"))}
    result = subprocess.run([sys.executable, "-c", SERVE_PAGES, SECRET, url],
                            capture_output=True, text=True, env=env, cwd=SERVICE, check=True)
    assert result.stdout.strip() == "[200, 200] []", result.stdout + result.stderr
