"""The sync under faults, through the real command line: nothing lost, nothing twice in Odoo, dead rows shown.

Ratings arrive in a burst through the real gunicorn while `flask --app feedback
sync --loop` runs as its own process against the loopback fake Odoo
(tests/contract/xmlrpc_fake_odoo.py), which fails in one of four ways: down
for the whole burst, the reply lost after it committed, a reply slower than the
read timeout, a server fault. Afterwards the outbox must be drained, Odoo must
hold every thanked rating, and Odoo must have been asked to create each one
exactly once (a retried batch comes back as "duplicate", never as a second
record). A last test takes rows to "dead" (repeated faults, then a repeated
rejection) and back with `flask --app feedback outbox` and `requeue`.

The same "Odoo down, then back" case runs against a real Odoo 18.0 in
tests/faults/ (Odoo tier). Slow: about 8 s per case and database.
"""

import collections
import datetime
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, update

from feedback import db
from feedback.models import OutboxItem, Rating, utcnow

from helpers import SECRET, SERVICE, load_fake_odoo, make_token, odoo_settings, rate
from test_faults_gunicorn import Burst, Gunicorn, free_port, rating_jobs, service_environment

fake_odoo_module = load_fake_odoo()


class CountingOdoo(fake_odoo_module.FakeOdoo):
    """The fake Odoo, also counting per token how often it created a record, and its answers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.created = collections.Counter()
        self.answers = collections.Counter()

    def _import_one(self, vals):
        answer = super()._import_one(vals)  # called under the fake's lock
        self.answers[answer["status"]] += 1
        if answer["status"] == "created":
            self.created[answer["token"]] += 1
        return answer


@pytest.fixture
def odoo():
    fake = CountingOdoo(SECRET, port=free_port()).start()
    yield fake
    fake.close()


def sync_environment(database_url, odoo, **extra):
    settings = {
        **odoo_settings(odoo),
        "ODOO_CONNECT_TIMEOUT": "1", "ODOO_READ_TIMEOUT": "0.5", "FEEDBACK_SYNC_BATCH_SIZE": "25",
        "FEEDBACK_SYNC_MAX_ATTEMPTS": "50", "FEEDBACK_SYNC_BACKOFF_BASE": "0.05", "FEEDBACK_SYNC_BACKOFF_MAX": "0.2",
    }
    settings.update(extra)
    return service_environment(database_url, **settings)


def flask(environ, *args, timeout=60):
    """`flask --app feedback ARGS` from services/feedback, as an operator types it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "feedback", *args],
        cwd=SERVICE, env=environ, capture_output=True, text=True, timeout=timeout, check=False,
    )


def outbox_states(app):
    with app.app_context():
        return dict(db.session().execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all())


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "waited %ss for %s" % (timeout, what)
        time.sleep(0.1)


class SyncLoop:
    """`flask --app feedback sync --loop` in the background, stopped with SIGTERM like a container."""

    def __init__(self, environ, log_path):
        self.log_path = log_path
        with open(log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", "flask", "--app", "feedback", "sync", "--loop", "--interval", "0.1"],
                cwd=SERVICE, env=environ, stdout=log, stderr=subprocess.STDOUT,
            )

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise


@pytest.mark.parametrize("fault", ["odoo-down", "reply-lost", "slow-reply", "server-fault"])
def test_a_burst_reaches_odoo_once_whatever_odoo_does(app, database_url, odoo, tmp_path, fault):
    jobs = rating_jobs(40)
    tokens = {token for _ref, token, _fields in jobs}
    service = Gunicorn(database_url, tmp_path / "gunicorn.log").start()
    loop = SyncLoop(sync_environment(database_url, odoo), tmp_path / "sync.log")
    try:
        if fault == "odoo-down":
            odoo.stop()
        elif fault == "reply-lost":
            odoo.inject("lose_reply", 2)  # xmlrpc.client retries a dropped connection once by itself
        elif fault == "slow-reply":
            odoo.delay = 1.5  # three times the read timeout
            odoo.inject("slow", 1)
        else:
            odoo.inject("fault", 3)  # the batch and its halves: the search then gets past it
        outcomes = Burst(service.url, jobs).start().join()
        assert {attempts[-1] for attempts in outcomes.values()} == {"thanks"}

        if fault == "odoo-down":
            wait_until(lambda: loop.log().count("Odoo unreachable") >= 2, 30, "two rounds failing on the outage")
            assert odoo.calls == 0 and not odoo.imported
            assert outbox_states(app) == {"pending": 40}  # the outage costs no attempt
            odoo.start()  # the same address
        wait_until(lambda: outbox_states(app) == {"sent": 40}, 60, "the outbox to drain")
        assert loop.stop() == 0, loop.log()
    finally:
        loop.stop()
        service.stop()

    assert set(odoo.imported) == tokens  # nothing lost
    assert set(odoo.created.values()) == {1}  # nothing created twice
    assert sorted(record["ref"] for record in odoo.imported.values()) == sorted(ref for ref, _t, _f in jobs)
    if fault in ("reply-lost", "slow-reply"):
        assert odoo.answers["duplicate"] > 0, "the retry did not resend what Odoo had already committed"
    if fault == "server-fault":
        assert "injected server fault" in loop.log()
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count(OutboxItem.id)).where(OutboxItem.token.is_not(None))) == 0
        assert session.scalar(select(func.count(Rating.id))) == 40


@pytest.fixture
def app_config(odoo):
    """The in-process app (ratings, `sync` through Click's runner) talks to the fake Odoo too."""
    return {
        **odoo_settings(odoo),
        "ODOO_READ_TIMEOUT": 0.5, "FEEDBACK_SYNC_MAX_ATTEMPTS": 3, "RATELIMIT_ENABLED": False,
    }


def set_outbox(app, **values):
    """Give every outbox row these values, as time or an operator would have."""
    with app.app_context():
        session = db.session()
        session.execute(update(OutboxItem).values(**values))
        session.commit()


def make_due(app):
    """Skip the backoff wait."""
    set_outbox(app, next_attempt_at=utcnow())


def test_dead_rows_are_listed_by_the_outbox_command_and_requeued(app, client, runner, database_url, odoo):
    tokens = [make_token("REQ/2026/%05d" % number) for number in range(1, 5)]
    for token in tokens:
        assert rate(client, token, rating=4).status_code == 200
    environ = sync_environment(database_url, odoo, FEEDBACK_SYNC_MAX_ATTEMPTS="3")

    # 1. Odoo fails three rounds in a row (each: the batch of 4, its halves, their halves): dead.
    odoo.inject("fault", 3 * 7)
    for _ in range(3):
        make_due(app)
        assert runner.invoke(args=["sync"]).exit_code == 1
    assert outbox_states(app) == {"dead": 4}
    assert odoo.calls == 3 * 7 and not odoo.imported
    listing = flask(environ, "outbox", "--state", "dead")
    assert listing.returncode == 0, listing.stderr
    assert "pending: 0  sent: 0  dead: 4" in listing.stdout
    assert "REQ/2026/00001 dead attempts=3" in listing.stdout
    assert listing.stdout.count("error=Odoo fault 1: injected server fault") == 4
    assert "v1." not in listing.stdout  # no token on the screen

    # 2. One row back by its id, from the command line; the others stay dead.
    first_id = listing.stdout.split("#", 1)[1].split()[0]
    requeued = flask(environ, "requeue", "--id", first_id)
    assert requeued.returncode == 0 and "1 dead row(s) put back" in requeued.stdout, requeued.stderr
    assert runner.invoke(args=["sync"]).exit_code == 0
    assert outbox_states(app) == {"sent": 1, "dead": 3}

    # 3. Odoo's secret changed: Odoo rejects, again after a requeue; a rejection is dead at once.
    odoo.secret = "a-secret-rotated-in-odoo-only-0123456789"
    for _ in range(2):
        assert "3 dead row(s) put back" in runner.invoke(args=["requeue"]).output
        assert runner.invoke(args=["sync"]).exit_code == 0  # Odoo answered: nothing to retry
        assert outbox_states(app) == {"sent": 1, "dead": 3}
    listing = flask(environ, "outbox")
    assert "pending: 0  sent: 1  dead: 3" in listing.stdout
    assert listing.stdout.count("attempts=1 ") == 3 and listing.stdout.count("error=token forged") == 3

    # 4. The secret is put right and the rows requeued: all in Odoo, each once.
    odoo.secret = SECRET
    assert "3 dead row(s) put back" in runner.invoke(args=["requeue"]).output
    done = runner.invoke(args=["sync"])
    assert done.exit_code == 0 and "sent 3" in done.output, done.output
    assert outbox_states(app) == {"sent": 4}
    assert set(odoo.imported) == set(tokens)
    assert set(odoo.created.values()) == {1}


def age_outbox(app, hours):
    """Make every outbox row as old as if it had been queued `hours` ago."""
    set_outbox(app, created_at=utcnow() - datetime.timedelta(hours=hours))


def test_the_sync_healthcheck_fails_while_ratings_wait_too_long_for_odoo(app, client, runner, database_url, odoo):
    """`outbox --check` is the sync worker's Docker healthcheck (docker-compose.yml)."""
    tokens = [make_token("REQ/2026/%05d" % number) for number in range(1, 4)]
    for token in tokens:
        assert rate(client, token, rating=2).status_code == 200
    environ = sync_environment(database_url, odoo, FEEDBACK_SYNC_STALE_AFTER="3600")

    # 1. Just queued: healthy, though nothing went out yet.
    fresh = flask(environ, "outbox", "--check")
    assert fresh.returncode == 0, fresh.stderr
    assert "pending: 3  sent: 0  dead: 0" in fresh.stdout
    assert "no rating has waited for Odoo longer than 1:00:00" in fresh.stdout
    assert "#" not in fresh.stdout  # --check lists no rows

    # 2. Odoo down for two hours (the rows are made that old): unhealthy, with the reason.
    odoo.stop()
    assert runner.invoke(args=["sync"]).exit_code == 1
    age_outbox(app, hours=2)
    stale = flask(environ, "outbox", "--check")
    assert stale.returncode == 1
    assert "3 rating(s) have waited for Odoo longer than 1:00:00" in stale.stderr
    assert "its last error: Odoo unreachable: ConnectionRefusedError" in stale.stderr
    assert "v1." not in stale.stdout + stale.stderr  # no token in a healthcheck's output

    # 3. The same wait is within a longer setting: healthy.
    assert flask(dict(environ, FEEDBACK_SYNC_STALE_AFTER="10800"), "outbox", "--check").returncode == 0

    # 4. Odoo back and the rows sent: healthy again, all three in Odoo once.
    odoo.start()
    make_due(app)
    assert runner.invoke(args=["sync"]).exit_code == 0
    recovered = flask(environ, "outbox", "--check")
    assert recovered.returncode == 0, recovered.stderr
    assert "pending: 0  sent: 3  dead: 0" in recovered.stdout
    assert sorted(odoo.created.values()) == [1, 1, 1]


def test_dead_rows_do_not_make_the_sync_unhealthy(app, client, runner):
    """A dead row waits for a person (`outbox`, `requeue`), not for Odoo: the check says
    how many there are and passes."""
    assert rate(client, make_token("REQ/2026/00001"), rating=3).status_code == 200
    set_outbox(app, state="dead", attempts=3, last_error="token forged")
    age_outbox(app, hours=48)
    result = runner.invoke(args=["outbox", "--check"])
    assert result.exit_code == 0, result.output
    assert "pending: 0  sent: 0  dead: 1" in result.output


def test_a_requeued_row_waits_from_its_requeue(app, client, runner):
    """Two days dead, then requeued by a person: healthy until it waits an hour again."""
    assert rate(client, make_token("REQ/2026/00001"), rating=3).status_code == 200
    with app.app_context():
        submitted = db.session().execute(select(Rating.submitted_at)).scalar_one()
    set_outbox(app, state="dead", attempts=3, last_error="token forged")
    age_outbox(app, hours=48)
    assert "1 dead row(s) put back" in runner.invoke(args=["requeue"]).output
    result = runner.invoke(args=["outbox", "--check"])
    assert result.exit_code == 0, result.output
    assert "pending: 1  sent: 0  dead: 0" in result.output
    with app.app_context():  # the rating keeps its own time
        assert db.session().execute(select(Rating.submitted_at)).scalar_one() == submitted

    age_outbox(app, hours=2)
    result = runner.invoke(args=["outbox", "--check"])
    assert result.exit_code == 1
    assert "1 rating(s) have waited for Odoo longer than 1:00:00" in result.output
    assert "its last error: token forged" in result.output


def test_the_check_names_the_oldest_waiting_rating_and_counts_only_the_stale_ones(app, client, runner):
    for number in range(1, 4):
        assert rate(client, make_token("REQ/2026/%05d" % number), rating=5).status_code == 200
    with app.app_context():
        session = db.session()
        ids = session.execute(select(OutboxItem.id).order_by(OutboxItem.id)).scalars().all()
        now = utcnow()
        for row_id, hours, error in ((ids[0], 5, "Odoo fault 1: first"), (ids[1], 3, "Odoo fault 1: second")):
            session.execute(update(OutboxItem).where(OutboxItem.id == row_id).values(
                created_at=now - datetime.timedelta(hours=hours), last_error=error))
        session.commit()  # the third row was queued just now
    result = runner.invoke(args=["outbox", "--check"])
    assert result.exit_code == 1
    oldest = (now - datetime.timedelta(hours=5)).isoformat(" ")
    assert ("2 rating(s) have waited for Odoo longer than 1:00:00, the oldest since %s UTC; "
            "its last error: Odoo fault 1: first" % oldest) in result.output


def test_the_check_reports_rows_never_tried(app, client, runner):
    """No attempt at all for hours: the message says the sync has not tried."""
    assert rate(client, make_token("REQ/2026/00001"), rating=5).status_code == 200
    age_outbox(app, hours=2)
    result = runner.invoke(args=["outbox", "--check"])
    assert result.exit_code == 1
    assert "1 rating(s) have waited for Odoo longer than 1:00:00" in result.output  # the default
    assert "its last error: none, the sync has not tried it yet (is the sync worker running?)" in result.output
