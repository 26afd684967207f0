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
