"""Database engine and sessions bound to the app, and the `flask db upgrade` command."""

import contextlib
import fcntl
import functools
import logging
import os
import threading
import time
import weakref

import click
from flask import current_app, g
from flask.cli import AppGroup
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")
_logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# How long a writer waits for the one ahead before it goes on under SQLite's own waiting (its
# busy timeout, which is as long): a writer ahead that is stopped rather than dead (Ctrl-Z on a
# command, a paused container) must not hold every request of the site for ever.
WAIT_SECONDS = 5.0
# How often a waiting process tries the lock between processes again (see WriteLock).
RETRY_SECONDS = 0.0005


class WriteLock:
    """One writer at a time on a SQLite file, across the threads and processes of the service.

    SQLite takes one writer at a time. Left to itself, a connection that finds the file locked
    sleeps and tries again 1, 2, 5, 10, then up to 100 ms later (its busy handler), so that under
    a burst of ratings the workers sat idle while the file was already free: the submissions were
    bound by those sleeps, not by the CPU (benchmarks/RESULTS.md, run 14). Here the threads of a
    process wait on a thread lock, which wakes one of them as soon as it is released, and the one
    thread of each process that holds it waits for the other processes (web workers, the sync,
    commands) on flock(2) on a file beside the database, trying again every half millisecond.
    Neither is first come, first served: the waiters race for a lock set free.

    A writer waits at most WAIT_SECONDS, then goes on without the lock and leaves the waiting to
    SQLite, with a warning: a writer ahead that stopped while holding it (a process that dies lets
    go by dying) then costs each write one wait, not the whole site. A lock file that cannot be
    opened (a folder the service may not write, a volume not mounted yet) is tried again at the
    next write, and meanwhile SQLite does the waiting as before.
    """

    def __init__(self, path):
        self.path = path
        self._threads = threading.Lock()
        self._owner = None
        self._file = None
        self._failed = False
        _FORK_AWARE.add(self)

    @contextlib.contextmanager
    def held(self, wait=None):
        """Hold the lock for a write transaction; yields True, or False when the wait ran out and
        the write goes on without it."""
        wait = WAIT_SECONDS if wait is None else wait
        if self._owner == threading.get_ident():
            raise RuntimeError("a write transaction on this SQLite file is already under way in this thread")
        deadline = time.monotonic() + wait
        if not self._threads.acquire(timeout=wait):
            self._gave_up(wait)
            yield False
            return
        try:
            self._owner = threading.get_ident()
            handle = self._handle()
            if handle is None:
                yield True
            elif self._wait_for_processes(handle, deadline):
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            else:
                self._gave_up(wait)
                yield False
        finally:
            self._owner = None
            self._threads.release()

    @staticmethod
    def _wait_for_processes(handle, deadline):
        # flock(2) has no timeout: a blocking call would wait for a stopped process for ever.
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(RETRY_SECONDS)

    @staticmethod
    def _gave_up(wait):
        _logger.warning("a write to the SQLite database waited %.1f s for the writer ahead; it goes on "
                        "and leaves the waiting to SQLite (is a process that writes to it stopped?)", wait)

    def _handle(self):
        # Called with the thread lock held. Opened once per process; read-only is enough for
        # flock, so a lock file made by another user (a command run as root) still serves.
        if self._file is not None:
            return self._file
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)  # as the first connection would
            descriptor = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._file = os.fdopen(descriptor, "rb")
        except OSError as exc:
            if not self._failed:
                _logger.warning("the SQLite writers' lock file cannot be opened (%s): writers wait "
                                "as SQLite makes them until it can", type(exc).__name__)
            self._failed = True
            return None
        # Closed with the lock object; a file object, so that closing it twice (after a fork, see
        # _after_fork) never closes a descriptor number the process has given to something else.
        weakref.finalize(self, self._file.close)
        self._failed = False
        return self._file

    def _after_fork(self):
        # The child starts free of its parent's hold: a thread lock that another thread of the
        # parent held stays held in the child for ever, and the flock of the open file it
        # inherited would let parent and child write at once. Closing its copy of the file does
        # not release the parent's flock (unlocking it would).
        self._threads = threading.Lock()
        self._owner = None
        if self._file is not None:
            self._file.close()
        self._file = None


_FORK_AWARE = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: [lock._after_fork() for lock in list(_FORK_AWARE)])


# engine -> its WriteLock (SQLite engines only)
_WRITE_LOCKS = weakref.WeakKeyDictionary()


def writing(bound):
    """A context in which to run a write transaction on `bound` (an engine): one writer at a time
    on SQLite (see WriteLock), nothing to wait for on PostgreSQL."""
    lock = _WRITE_LOCKS.get(bound)
    return lock.held() if lock is not None else contextlib.nullcontext()


def make_engine(url):
    # hide_parameters: a failed statement's error (logged with its traceback) would otherwise
    # show its values, among them a whole token and the beneficiary's comment.
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, hide_parameters=True)
    parsed = make_url(url)
    path = parsed.database
    # A "file:" URI (uri=true, e.g. mode=ro) names a file that must already be there. It is left
    # to SQLite's own waiting, as an in-memory database is: the writers' lock is only for a file.
    if path and path != ":memory:" and parsed.query.get("uri") != "true":
        folder = os.path.dirname(os.path.abspath(path))
        # Made on first connection, not at start-up: creating the app has no side effects.
        event.listen(engine, "do_connect", lambda *_args: os.makedirs(folder, exist_ok=True))
        _WRITE_LOCKS[engine] = WriteLock(os.path.abspath(path) + "-writer")
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
    bound = engine()
    with bound.connect() as connection:
        current = schema_is_current(connection)
        connection.commit()  # the schema's read ends before the write waits its turn
        with writing(bound):
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
