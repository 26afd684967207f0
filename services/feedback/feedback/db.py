"""Database engine and sessions bound to the app, and the `flask db upgrade` command."""

import functools
import os

import click
from flask import current_app, g
from flask.cli import AppGroup
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url):
    # hide_parameters: a failed statement's error (logged with its traceback) would otherwise
    # show its values, among them a whole token and the beneficiary's comment.
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, hide_parameters=True)
    parsed = make_url(url)
    path = parsed.database
    # a "file:" URI (uri=true, e.g. mode=ro) names a file that must already be there
    if path and path != ":memory:" and parsed.query.get("uri") != "true":
        folder = os.path.dirname(os.path.abspath(path))
        # Made on first connection, not at start-up: creating the app has no side effects.
        event.listen(engine, "do_connect", lambda *_args: os.makedirs(folder, exist_ok=True))
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_app(app):
    bound = make_engine(app.config["FEEDBACK_DATABASE_URL"])
    app.extensions["feedback_db"] = {
        "engine": bound,
        "sessions": sessionmaker(bound, expire_on_commit=False),
    }
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_group)


def engine():
    return current_app.extensions["feedback_db"]["engine"]


def session():
    """The session of this app context, opened on first use and closed on teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["feedback_db"]["sessions"]()
    return g.db_session


def _close_session(_exc):
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


# Alembic is imported where it is used: with Mako and Pygments behind it, it would add
# about 100 modules to every web worker, which only needs it for the readiness check.


@functools.cache
def _heads():
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return frozenset(ScriptDirectory(MIGRATIONS).get_heads())


def _alembic_config(connection):
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def upgrade(revision="head"):
    from alembic import command  # noqa: PLC0415

    with engine().begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def schema_is_current(connection):
    """True when the database is at the newest migration."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    return set(MigrationContext.configure(connection).get_current_heads()) == _heads()


def ping():
    """Whether the database answers (or raises), is at the newest migration, and takes writes.

    The write is an UPDATE of the schema's version row to itself, rolled back: a database that
    still answers reads but refuses writes (a read-only file, a replica after a failover) would
    show the rating page and then fail every submission."""
    with engine().connect() as connection:
        current = schema_is_current(connection)
        try:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
        except DBAPIError:
            return current, False
        finally:
            connection.rollback()
        return current, True


@click.group("db", cls=AppGroup)
def db_group():
    """Database schema commands."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def upgrade_command(revision):
    """Bring the database schema up to date (safe to run on every deploy)."""
    upgrade(revision)
    click.echo("Database schema is at %s." % revision)
