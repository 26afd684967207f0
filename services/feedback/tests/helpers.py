"""Helpers shared by the service tests (fixtures are in conftest.py)."""

import functools
import importlib.util
import os
import pathlib
import re
import time

from sqlalchemy import func, select

from feedback import create_app, db, rating
from feedback.db import upgrade
from feedback.tokens import sign_token

SECRET = "test-secret-0123456789-abcdefghijklmnop"
SERVICE = pathlib.Path(__file__).resolve().parents[1]
REPO = SERVICE.parents[1]
POSTGRES_URL = os.environ.get("FEEDBACK_TEST_POSTGRES_URL")


@functools.cache
def load_fake_odoo():
    """tests/contract/xmlrpc_fake_odoo.py as a module, loaded once (it holds no state of its own)."""
    path = REPO / "tests/contract/xmlrpc_fake_odoo.py"
    spec = importlib.util.spec_from_file_location("xmlrpc_fake_odoo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def odoo_settings(odoo):
    """The settings that point the service at `odoo`, a fake Odoo (tests/contract/xmlrpc_fake_odoo.py)."""
    return {"ODOO_URL": odoo.url, "ODOO_DB": odoo.db, "ODOO_LOGIN": odoo.login, "ODOO_API_KEY": odoo.api_key}


def count(app, model):
    """How many rows of `model` the app's database holds."""
    with app.app_context():
        return db.session().scalar(select(func.count(model.id)))


def make_app(database_url, **config):
    settings = {
        "TESTING": True,
        "FEEDBACK_SECRET": SECRET,
        "FEEDBACK_DATABASE_URL": database_url,
        "FEEDBACK_PUBLIC_URL": "http://127.0.0.1:8000",
    }
    settings.update(config)
    app = create_app(settings)
    with app.app_context():
        upgrade()
    return app


def make_token(ref, days=30, secret=SECRET):
    return sign_token(secret, ref, int(time.time()) + days * 86400)


def csrf_from(response):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF field"
    return match.group(1)


def rate(client, token, **fields):
    """Open the page as a browser would, then send the form; returns the POST response."""
    page = client.get("/r/%s" % token)
    data = {"csrf_token": csrf_from(page)} if 'name="csrf_token"' in page.get_data(as_text=True) else {}
    data.update({key: str(value) for key, value in fields.items()})
    return client.post("/r/%s" % token, data=data)


class ServiceClock:
    """The rating page's clock, moved by hand: feedback.rating asks `_now()` the time, and reads
    `now` here (seconds since the epoch, starting at the real time) until the test ends."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(rating, "_now", lambda: self.now)
