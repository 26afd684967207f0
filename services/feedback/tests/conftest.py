"""Fixtures: an app with a fresh database per test, its client and CLI runner.

Storage-touching tests run on SQLite, and on PostgreSQL too when
FEEDBACK_TEST_POSTGRES_URL is set (CI exports it, e.g.
postgresql+psycopg://odoo:odoo@127.0.0.1/feedback_test): each test then gets
its own schema, dropped afterwards.
"""

import os
import uuid

import pytest
import sqlalchemy

from helpers import POSTGRES_URL, SECRET, load_fake_odoo, make_app, make_token


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    # Tests describe their configuration themselves; nothing leaks in from the shell.
    for name in list(os.environ):
        if name.startswith(("FEEDBACK_", "ODOO_")) and name != "FEEDBACK_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///%s" % (tmp_path / "feedback.sqlite3")
        return
    if not POSTGRES_URL:
        pytest.skip("FEEDBACK_TEST_POSTGRES_URL is not set (CI sets it)")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text("CREATE SCHEMA %s" % schema))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield "%s%soptions=-csearch_path%%3D%s" % (POSTGRES_URL, separator, schema)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text("DROP SCHEMA %s CASCADE" % schema))
    admin.dispose()


@pytest.fixture
def app_config():
    """Extra configuration for the `app` fixture; tests override it with parametrize or a fixture."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    app = make_app(database_url, **app_config)
    yield app
    app.extensions["feedback_db"]["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fake_odoo():
    """The fake Odoo on a loopback port, for the tests that sync."""
    fake = load_fake_odoo().FakeOdoo(SECRET).start()
    yield fake
    fake.close()


@pytest.fixture
def token():
    return make_token("REQ/2026/00001")
