from sqlalchemy import text

from feedback import db


def test_healthz_needs_no_database(client, monkeypatch):
    def no_database():
        raise AssertionError("healthz touched the database")

    monkeypatch.setattr(db, "engine", no_database)
    monkeypatch.setattr(db, "session", no_database)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready"}


def test_readyz_fails_when_the_schema_is_behind(app, client):
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "db upgrade" in response.json["status"]


def test_readyz_fails_when_the_database_is_unreachable(tmp_path):
    from helpers import SECRET

    from feedback import create_app

    app = create_app({"FEEDBACK_SECRET": SECRET, "FEEDBACK_DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "database unavailable"}
    assert b"nobody" not in response.data


def _read_only(database_url):
    """The same database, opened so that it answers reads and refuses writes."""
    if database_url.startswith("sqlite:///"):
        return "sqlite:///file:%s?mode=ro&uri=true" % database_url[len("sqlite:///"):]
    return database_url + "%20-cdefault_transaction_read_only%3Don"  # as a replica after a failover


def test_readyz_fails_when_the_database_refuses_writes(app, database_url):
    """The page would still show, and every submission fail: not ready."""
    from feedback import create_app
    from helpers import SECRET, make_token

    read_only = create_app({"FEEDBACK_SECRET": SECRET, "FEEDBACK_DATABASE_URL": _read_only(database_url)})
    try:
        client = read_only.test_client()
        assert client.get("/r/%s" % make_token("REQ/2026/00001")).status_code == 200  # reads work
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "database is read-only: no rating can be saved"}
        assert app.test_client().get("/readyz").status_code == 200  # the same database, writable
    finally:
        read_only.extensions["feedback_db"]["engine"].dispose()


def test_sqlite_s_folder_that_cannot_be_made_is_a_503_and_honest_pages(tmp_path):
    from feedback import create_app
    from helpers import SECRET, make_token

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    url = "sqlite:///%s" % (blocker / "feedback.sqlite3")
    app = create_app({"FEEDBACK_SECRET": SECRET, "FEEDBACK_DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "database unavailable"}
    # opening the page: nothing was sent, so nothing "may not have been saved"
    opened = client.get("/r/%s?lang=en" % make_token("REQ/2026/00001"))
    assert opened.status_code == 500 and b"cannot be shown right now" in opened.data
    assert b"may not have been saved" not in opened.data
    sent = client.post("/r/%s?lang=en" % make_token("REQ/2026/00001"), data={"rating": "5"})
    assert sent.status_code == 500 and b"may not have been saved" in sent.data
