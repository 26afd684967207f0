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


def test_the_flask_command_says_why_it_will_not_start():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FEEDBACK_", "ODOO_"))}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "feedback", "issue-link", "--ref", "REQ/1"],
        capture_output=True, text=True, env=env, cwd=SERVICE,
    )
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
