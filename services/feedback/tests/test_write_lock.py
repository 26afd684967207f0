"""SQLite's writers take turns on a lock that lets the next one in at once (feedback.db.WriteLock).

The point of the lock is speed under a burst, which benchmarks/rating_path.py shows. These tests
show what must hold for it to be safe: no two writers at once, between threads, between
processes and across a fork; a write that waited is stored once the writer ahead is done; a
writer ahead that never lets go costs a wait, not the site; and where there is no lock file,
writing goes on as SQLite does it.

"Could not get in" is asserted with a writer that gives up after a short wait while the lock is
held for certain, and "waited" only once the writer was seen refused by the lock: neither can
pass because the machine was slow.
"""

import fcntl
import logging
import multiprocessing
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select, update

from feedback import db
from feedback.models import DEAD, PENDING, SENT, OutboxItem, Rating

from helpers import SERVICE, count, csrf_from, make_app, make_token, odoo_settings, rate

SHORT = 0.3  # seconds a writer waits in the tests that expect it to give up
ENDS = 20  # seconds within which what should happen must have happened


class HeldElsewhere:
    """The write lock of the SQLite file at `path`, held by another process until release()."""

    def __init__(self, path):
        self.path = path
        self.process = None

    def __enter__(self):
        code = (
            "import sys\n"
            "from feedback.db import WriteLock\n"
            "with WriteLock(sys.argv[1] + '-writer').held() as got:\n"
            "    print('held' if got else 'not held', flush=True)\n"
            "    sys.stdin.readline()\n"
        )
        env = dict(os.environ, PYTHONPATH=str(SERVICE))
        self.process = subprocess.Popen(  # noqa: S603 # this interpreter, code above
            [sys.executable, "-c", code, str(self.path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.process.stdout.readline() == "held\n"
        return self

    def release(self):
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self.process.wait(timeout=ENDS) == 0

    def __exit__(self, *_exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


def _held(lock, wait):
    with lock.held(wait=wait) as got:
        return got


def try_writing(lock, wait=None):
    """Whether a writer got the lock (False: it gave up waiting after `wait` seconds), in a
    thread, so that a writer that would wait for ever fails the test instead of hanging it."""
    writing, got = in_thread(lambda: _held(lock, wait))
    writing.join(ENDS)
    return got[0] if got else "still waiting"


def in_thread(work):
    """Run `work()` in a thread; the thread, and a list that receives its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


@pytest.fixture
def refused(monkeypatch):
    """Set when a writer of this process finds the lock between processes taken."""
    event = threading.Event()
    real_flock = fcntl.flock

    def flock(handle, operation):
        try:
            return real_flock(handle, operation)
        except BlockingIOError:
            event.set()
            raise

    monkeypatch.setattr(db.fcntl, "flock", flock)
    return event


def test_threads_of_one_process_write_one_at_a_time(tmp_path):
    lock = db.WriteLock(str(tmp_path / "feedback.sqlite3-writer"))
    with lock.held() as got:
        assert got
        assert try_writing(lock, wait=SHORT) is False, "a second thread got in while the first one held the lock"
    assert try_writing(lock) is True


def test_a_writer_waits_for_another_process_and_goes_on_when_it_is_done(tmp_path, refused):
    path = tmp_path / "feedback.sqlite3"
    lock = db.WriteLock(str(path) + "-writer")
    with HeldElsewhere(path) as other:
        assert try_writing(lock, wait=SHORT) is False, "two processes got in at once"
        refused.clear()
        waiting, entered = in_thread(lambda: _held(lock, None))
        assert refused.wait(ENDS)
        assert entered == []
        other.release()
        waiting.join(ENDS)
    assert entered == [True]


def _child_writes(lock, results, go):
    results.put(_held(lock, SHORT))  # while the parent holds the lock
    go.wait(ENDS)
    results.put(_held(lock, ENDS))  # once the parent let go


def test_a_forked_process_waits_for_its_parent_and_then_gets_in(tmp_path):
    # gunicorn forks its workers: a child must neither share its parent's hold (the flock of an
    # inherited file) nor inherit a thread lock held at the fork, which no one would release.
    lock = db.WriteLock(str(tmp_path / "feedback.sqlite3-writer"))
    context = multiprocessing.get_context("fork")
    results, go = context.Queue(), context.Event()
    child = context.Process(target=_child_writes, args=(lock, results, go), daemon=True)
    try:
        with lock.held():
            child.start()
            assert results.get(timeout=ENDS) is False, "a forked child got in while its parent held the lock"
        go.set()
        assert results.get(timeout=ENDS) is True, "the forked child never got in once its parent let go"
        child.join(ENDS)
        assert child.exitcode == 0
    finally:
        if child.is_alive():
            child.kill()
        results.close()


def test_a_thread_that_writes_within_its_own_write_is_told_so(tmp_path):
    lock = db.WriteLock(str(tmp_path / "feedback.sqlite3-writer"))
    with lock.held(), pytest.raises(RuntimeError, match="already under way in this thread"), lock.held():
        pass
    assert try_writing(lock) is True


def test_a_lock_file_that_cannot_be_opened_leaves_the_waiting_to_sqlite_until_it_can(tmp_path, caplog):
    blocker = tmp_path / "instance"
    blocker.write_text("")  # the lock's folder would have to be this file
    lock = db.WriteLock(str(blocker / "feedback.sqlite3-writer"))
    with caplog.at_level(logging.WARNING, logger="feedback.db"):
        assert try_writing(lock) is True
        assert try_writing(lock) is True
    assert caplog.text.count("lock file cannot be opened") == 1
    blocker.unlink()
    assert try_writing(lock) is True
    assert (blocker / "feedback.sqlite3-writer").exists(), "the lock file was not tried again"


def test_postgresql_writes_wait_for_nothing():
    engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        def write_too():
            with db.writing(engine):
                return "in"

        with db.writing(engine):
            waiting, entered = in_thread(write_too)
            waiting.join(ENDS)
        assert entered == ["in"]
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path, fake_odoo):
    path = tmp_path / "feedback.sqlite3"
    app = make_app("sqlite:///%s" % path, **odoo_settings(fake_odoo))
    yield app, path
    app.extensions["feedback_db"]["engine"].dispose()


def _outbox_states(app):
    with app.app_context():
        return db.session().scalars(select(OutboxItem.state)).all()


def after_waiting_its_turn(path, refused, work, what):
    """Run `work()` while another process holds the writers' lock of the database at `path`;
    once `work` is seen refused by the lock (and not done), release it. Returns what `work` did."""
    with HeldElsewhere(path) as other:
        working, done = in_thread(work)
        assert refused.wait(ENDS), "%s did not wait for the writers' lock" % what
        assert done == [], "%s wrote while another process held the writers' lock" % what
        other.release()
        working.join(ENDS)
    assert done, "%s did not finish once the lock was free" % what
    return done[0]


def test_a_submission_waits_for_the_writer_ahead_and_is_then_stored(sqlite_app, refused):
    app, path = sqlite_app
    client = app.test_client()
    token = make_token("REQ/2026/00077")
    csrf = csrf_from(client.get("/r/%s" % token))
    answer = after_waiting_its_turn(
        path, refused, lambda: client.post("/r/%s" % token, data={"csrf_token": csrf, "rating": "4"}), "the submission"
    )
    assert answer.status_code == 200
    assert count(app, Rating) == 1


def test_the_sync_writes_its_outcome_in_turn(sqlite_app, refused):
    app, path = sqlite_app
    assert rate(app.test_client(), make_token("REQ/2026/00078"), rating=5).status_code == 200
    result = after_waiting_its_turn(path, refused, lambda: app.test_cli_runner().invoke(args=["sync"]), "the sync")
    assert result.exit_code == 0, result.output
    assert _outbox_states(app) == [SENT]


def test_requeue_writes_in_turn(sqlite_app, refused):
    app, path = sqlite_app
    assert rate(app.test_client(), make_token("REQ/2026/00079"), rating=2).status_code == 200
    with app.app_context():
        session = db.session()
        session.execute(update(OutboxItem).values(state=DEAD))
        session.commit()
    result = after_waiting_its_turn(path, refused, lambda: app.test_cli_runner().invoke(args=["requeue"]), "requeue")
    assert result.exit_code == 0, result.output
    assert _outbox_states(app) == [PENDING]


def test_a_writer_ahead_that_never_lets_go_costs_a_wait_not_the_site(sqlite_app, monkeypatch, caplog):
    # A process stopped while it held the lock (Ctrl-Z on a command, a paused container).
    app, path = sqlite_app
    monkeypatch.setattr(db, "WAIT_SECONDS", SHORT)
    client = app.test_client()

    def use_the_site():
        rated = [rate(client, make_token("REQ/2026/%05d" % number), rating=3).status_code for number in (80, 81)]
        return rated + [client.get("/readyz").status_code]

    with HeldElsewhere(path), caplog.at_level(logging.WARNING, logger="feedback.db"):
        using, answers = in_thread(use_the_site)
        using.join(ENDS)
        assert answers == [[200, 200, 200]], "the site waited for a writer that never lets go"
    assert count(app, Rating) == 2
    assert "waited 0.3 s for the writer ahead" in caplog.text


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///file:{folder}/feedback.sqlite3?mode=rwc&uri=true"])
def test_databases_without_a_lock_file_take_every_write(tmp_path, url):
    # in memory, nothing else can write; a "file:" URI is left to SQLite's own waiting
    app = make_app(url.format(folder=tmp_path))
    try:
        client = app.test_client()
        for number in (82, 83):
            assert rate(client, make_token("REQ/2026/%05d" % number), rating=5).status_code == 200
        assert count(app, Rating) == 2
    finally:
        app.extensions["feedback_db"]["engine"].dispose()
