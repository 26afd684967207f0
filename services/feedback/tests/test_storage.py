"""Storage on SQLite and (when FEEDBACK_TEST_POSTGRES_URL is set) PostgreSQL."""

import datetime
import logging

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, select
from sqlalchemy.exc import IntegrityError

from feedback import db, rating
from feedback.models import Base, OutboxItem, Rating, utcnow

from helpers import count, make_token, rate


def test_migrations_build_exactly_the_models(app):
    with app.app_context(), db.engine().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"rating", "outbox", "alembic_version"} <= tables


def test_upgrade_twice_is_harmless(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database schema is at head" in result.output


def test_upgrade_from_the_first_schema_keeps_the_ratings_and_renews_the_due_index(app, runner, client, token):
    assert rate(client, token, rating=4).status_code == 200
    with app.app_context(), db.engine().begin() as connection:
        command.downgrade(db._alembic_config(connection), "0001")  # a database from before 0002
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine().connect() as connection:
        indexes = {index["name"]: index["column_names"] for index in inspect(connection).get_indexes("outbox")}
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert indexes.get("ix_outbox_due") == ["state", "next_attempt_at", "id"]
    assert "ix_outbox_state_next_attempt_at" not in indexes
    assert count(app, Rating) == 1 and count(app, OutboxItem) == 1


def test_one_rating_per_request_reference(app):
    with app.app_context():
        session = db.session()
        session.add(Rating(request_ref="REQ/1", token_sha256="a" * 64, rating=3, answers={}, comment=""))
        session.commit()
        session.add(Rating(request_ref="REQ/1", token_sha256="b" * 64, rating=4, answers={}, comment=""))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(Rating(request_ref="REQ/2", token_sha256="a" * 64, rating=4, answers={}, comment=""))
        with pytest.raises(IntegrityError):
            session.commit()


def test_the_database_refuses_a_rating_outside_1_to_5(app):
    with app.app_context():
        session = db.session()
        session.add(Rating(request_ref="REQ/1", token_sha256="a" * 64, rating=6, answers={}, comment=""))
        with pytest.raises(IntegrityError):
            session.commit()


def test_rating_and_outbox_row_are_written_together_or_not_at_all(app, client, token):
    def refuse(_connection, _cursor, statement, *_args):
        # The rating row is already inserted in this transaction when the outbox row fails.
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            raise RuntimeError("outbox write failed")

    engine = app.extensions["feedback_db"]["engine"]
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        response = rate(client, token, rating=5)
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert response.status_code == 500
    assert (count(app, Rating), count(app, OutboxItem)) == (0, 0)
    # The beneficiary can try again, and this time it is stored.
    assert rate(client, token, rating=5).status_code == 200
    assert (count(app, Rating), count(app, OutboxItem)) == (1, 1)


@pytest.mark.parametrize("table", ["rating", "outbox"])
def test_a_failed_insert_is_logged_without_the_token_or_the_comment(app, client, token, caplog, table):
    comment = "ابني في السجن منذ عامين"
    engine = app.extensions["feedback_db"]["engine"]

    def locked(_cursor, statement, _parameters, _context):
        # The driver's own error, as on a lock timeout or a database gone away: SQLAlchemy wraps it
        # with the statement (and, unless hidden, its values) and the app logs it with its traceback.
        if statement.lstrip().upper().startswith("INSERT INTO %s " % table.upper()):
            raise engine.dialect.loaded_dbapi.OperationalError("database is locked")
        return False

    event.listen(engine, "do_execute", locked)
    caplog.set_level(logging.DEBUG)
    try:
        response = rate(client, token, rating=2, comment=comment)
    finally:
        event.remove(engine, "do_execute", locked)
    assert response.status_code == 500
    assert "database is locked" in caplog.text and "INSERT INTO %s" % table in caplog.text
    assert token not in caplog.text and token[-22:] not in caplog.text
    assert comment not in caplog.text
    assert (count(app, Rating), count(app, OutboxItem)) == (0, 0)


def test_a_lost_race_for_the_same_request_shows_already_rated(app, client, token, monkeypatch):
    with app.app_context():
        session = db.session()
        session.add(Rating(request_ref="REQ/2026/00001", token_sha256="c" * 64, rating=2, answers={}, comment=""))
        session.commit()
    monkeypatch.setattr(rating, "_already_rated", lambda _ref: False)
    response = rate(client, token, rating=5)
    assert response.status_code == 200
    assert "تم تقييم هذا الطلب من قبل" in response.get_data(as_text=True)
    assert count(app, Rating) == 1


def test_stored_values_round_trip(app, client):
    token = make_token("REQ/2026/00042")
    rate(client, token, rating=1, time=2, promptness=1, overall=1, comment="تأخر الرد كثيرًا")
    with app.app_context():
        stored = db.session().scalars(select(Rating)).one()
        assert stored.answers == {"time": 2, "promptness": 1, "overall": 1}
        assert stored.comment == "تأخر الرد كثيرًا"
        assert isinstance(stored.submitted_at, datetime.datetime)
        assert abs(utcnow() - stored.submitted_at) < datetime.timedelta(minutes=1)
        assert stored.outbox.state == "pending" and stored.outbox.attempts == 0


def test_nothing_personal_is_stored(app, client, token):
    rate(client, token, rating=4)
    with app.app_context(), db.engine().connect() as connection:
        columns = {table: {column["name"] for column in inspect(connection).get_columns(table)}
                   for table in ("rating", "outbox")}
    assert columns["rating"] == {"id", "request_ref", "token_sha256", "rating", "answers", "comment", "submitted_at"}
    assert not {"ip", "remote_addr", "user_agent", "name", "phone"} & (columns["rating"] | columns["outbox"])
