"""SQLite's writers take turns on a lock that wakes the next one at once (feedback.db.WriteLock).

The point of the lock is speed under a burst, which benchmarks/rating_path.py shows. These tests
show what must hold for it to be safe: no two writers at once, between threads, between
processes and across a fork; a write that waits is stored once the writer ahead is done; and a
lock file that cannot be opened leaves writing as SQLite does it. "Still waiting" is checked
after a short pause: on a slow machine a wait that should have ended could only make a test
fail, never pass.
"""

import logging
import multiprocessing
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from feedback import db
from feedback.models import SENT, OutboxItem, Rating

from helpers import SECRET, SERVICE, csrf_from, load_fake_odoo, make_app, make_token, rate

PAUSE = 0.3  # seconds in which a writer that is not held back would have finished
ENDS = 20  # seconds within which a writer let through must have finished


class HeldElsewhere:
    """The write lock of the SQLite file at `path`, held by another process until release()."""

    def __init__(self, path):
        code = (
            "import sys\n"
            "from feedback.db import WriteLock\n"
            "with WriteLock(sys.argv[1] + '-writer').held():\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.readline()\n"
        )
        env = dict(os.environ, PYTHONPATH=str(SERVICE))
        self.process = subprocess.Popen(  # noqa: S603 # this interpreter, code above
            [sys.executable, "-c", code, str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.process.stdout.readline() == "held\n"

    def release(self):
        self.process.stdin.write("go\n")
        self.process.stdin.close()
        assert self.process.wait(timeout=ENDS) == 0
        self.process.stdout.close()


def write(lock):
    with lock.held():
        return "in"


def in_thread(work):
    """Run `work()` in a thread; the thread, and a list that receives its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


def test_threads_of_one_process_write_one_at_a_time(tmp_path):
    lock = db.WriteLock(str(tmp_path / "feedback.sqlite3-writer"))
    with lock.held():
        waiting, entered = in_thread(lambda: write(lock))
        waiting.join(PAUSE)
        assert entered == [], "a second thread wrote while the first one held the lock"
    waiting.join(ENDS)
    assert entered == ["in"]


def test_a_writer_waits_for_another_process_and_goes_on_when_it_is_done(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    lock = db.WriteLock(str(path) + "-writer")
    other = HeldElsewhere(path)
    waiting, entered = in_thread(lambda: write(lock))
    waiting.join(PAUSE)
    assert entered == [], "two processes wrote at once"
    other.release()
    waiting.join(ENDS)
    assert entered == ["in"]


def _child_writes(lock, queue):
    queue.put(write(lock))


def test_a_forked_process_waits_for_its_parent(tmp_path):
    # gunicorn forks its workers: a child must not inherit its parent's hold on the lock.
    lock = db.WriteLock(str(tmp_path / "feedback.sqlite3-writer"))
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with lock.held():
        child = context.Process(target=_child_writes, args=(lock, queue))
        child.start()
        child.join(PAUSE)
        assert queue.empty(), "a forked child wrote while its parent held the lock"
    assert queue.get(timeout=ENDS) == "in"
    child.join(ENDS)
    assert child.exitcode == 0


def test_a_lock_file_that_cannot_be_opened_leaves_the_writers_to_sqlite(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # the lock's folder would have to be this file
    lock = db.WriteLock(str(blocker / "feedback.sqlite3-writer"))
    with caplog.at_level(logging.WARNING, logger="feedback.db"), lock.held():
        pass
    assert "lock file cannot be opened" in caplog.text


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
def fake_odoo():
    fake = load_fake_odoo().FakeOdoo(SECRET).start()
    yield fake
    fake.close()


@pytest.fixture
def sqlite_app(tmp_path, fake_odoo):
    path = tmp_path / "feedback.sqlite3"
    app = make_app(
        "sqlite:///%s" % path,
        ODOO_URL=fake_odoo.url, ODOO_DB=fake_odoo.db, ODOO_LOGIN=fake_odoo.login, ODOO_API_KEY=fake_odoo.api_key,
    )
    yield app, path
    app.extensions["feedback_db"]["engine"].dispose()


def test_a_submission_waits_for_the_writer_ahead_and_is_then_stored(sqlite_app):
    app, path = sqlite_app
    client = app.test_client()
    token = make_token("REQ/2026/00077")
    csrf = csrf_from(client.get("/r/%s" % token))
    other = HeldElsewhere(path)
    sending, answers = in_thread(lambda: client.post("/r/%s" % token, data={"csrf_token": csrf, "rating": "4"}))
    sending.join(PAUSE)
    assert answers == [], "the rating was written while another process held the writers' lock"
    other.release()
    sending.join(ENDS)
    assert [answer.status_code for answer in answers] == [200]
    with app.app_context():
        assert db.session().scalar(select(func.count(Rating.id))) == 1


def test_the_sync_writes_its_outcome_in_turn(sqlite_app):
    app, path = sqlite_app
    assert rate(app.test_client(), make_token("REQ/2026/00078"), rating=5).status_code == 200
    other = HeldElsewhere(path)
    syncing, results = in_thread(lambda: app.test_cli_runner().invoke(args=["sync"]))
    syncing.join(PAUSE)
    assert results == [], "the sync wrote while another process held the writers' lock"
    other.release()
    syncing.join(ENDS)
    assert [result.exit_code for result in results] == [0], results[0].output if results else "still syncing"
    with app.app_context():
        assert db.session().scalars(select(OutboxItem.state)).all() == [SENT]
