"""The rate limits on a real Redis, as docker-compose.yml runs them in production.

* The counts are shared: two service instances (two gunicorn masters, as two
  hosts or two containers would be) give a client, or a link, the limit once,
  not once each. The memory storage, for contrast, counts per process.
* A Redis that stalls or stops holds no rating page: after a bounded wait the
  limits are counted in the worker's memory, the log says so, and the counts go
  back to Redis once it answers again.
* Redis killed (SIGKILL) during a burst of ratings under gunicorn: no error
  page, and every rating a beneficiary was thanked for is stored, once.

redis-server comes from Debian's package (.ci/run installs it); scripts/test.sh
sets FEEDBACK_REDIS_TESTS=required so that CI fails rather than skips without it.
"""

import io
import logging
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from feedback.config import ConfigError
from feedback.security import storage_options

from helpers import make_app, make_token
from test_faults_gunicorn import Burst, Gunicorn, free_port, get, rating_jobs, stored_ratings

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """A redis-server of the test's own on 127.0.0.1 that keeps nothing on disk."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.process = None

    def start(self, timeout=10):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                assert self.process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def client(self):
        # One attempt per call: start() polls with its own deadline.
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def keys(self):
        return self.client().dbsize()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    if REDIS_SERVER is None:
        if os.environ.get("FEEDBACK_REDIS_TESTS") == "required":
            pytest.fail("FEEDBACK_REDIS_TESTS=required but redis-server is missing: apt-get install redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path):
    """A migrated SQLite database (the limits do not depend on the database)."""
    url = "sqlite:///%s" % (tmp_path / "feedback.sqlite3")
    make_app(url).extensions["feedback_db"]["engine"].dispose()
    return url


def _page(url, token):
    return get("%s/r/%s?lang=en" % (url, token))[0]


@pytest.mark.parametrize(
    ("storage", "limit", "expected"),
    [
        # 6 a minute: the 7th page, whichever instance serves it, is refused.
        ("redis", "client", [200] * 6 + [429] * 4),
        ("redis", "token", [200] * 6 + [429] * 4),
        # Each instance counts its own 6: what Redis is there for.
        ("memory", "client", [200] * 10),
    ],
)
def test_two_instances_share_the_counts_through_redis(tmp_path, sqlite_url, redis_server, storage, limit, expected):
    settings = {
        "FEEDBACK_WORKERS": "1",
        "FEEDBACK_RATELIMIT_STORAGE_URL": redis_server.url if storage == "redis" else "memory://",
        "FEEDBACK_RATELIMIT_PER_CLIENT": "6 per minute" if limit == "client" else "1000 per minute",
        "FEEDBACK_RATELIMIT_PER_TOKEN": "6 per minute" if limit == "token" else "1000 per minute",
    }
    instances = []
    try:
        for name in ("a", "b"):
            instances.append(Gunicorn(sqlite_url, tmp_path / ("gunicorn-%s.log" % name), **settings).start())
        one_link = make_token("REQ/2026/00900")
        codes = [
            _page(instances[number % 2].url, one_link if limit == "token" else make_token("REQ/2026/%05d" % number))
            for number in range(10)
        ]
    finally:
        for instance in instances:
            instance.stop()
    assert codes == expected
    assert (redis_server.keys() > 0) == (storage == "redis")


def _pages_within(client, count, seconds, errors):
    """Open `count` new links one after the other; their statuses and times, or a failure if they
    take longer than `seconds` in all.

    `errors` is the WSGI error stream of the requests: what gunicorn writes to its log."""
    codes, times = [], []

    def open_pages():
        for number in range(count):
            started = time.monotonic()
            page = client.get("/r/%s?lang=en" % make_token("REQ/2026/1%04d" % number), errors_stream=errors)
            times.append(time.monotonic() - started)
            codes.append(page.status_code)

    worker = threading.Thread(target=open_pages, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "pages waited for Redis: %d of %d served in %.0f s" % (len(codes), count, seconds)
    return codes, times


@pytest.mark.parametrize("fault", ["stalls", "stops"])
def test_a_redis_that_stalls_or_stops_holds_no_page(sqlite_url, redis_server, caplog, fault):
    app = make_app(
        sqlite_url,
        RATELIMIT_STORAGE_URI=redis_server.url,
        FEEDBACK_RATELIMIT_STORAGE_TIMEOUT=0.3,
        FEEDBACK_RATELIMIT_PER_CLIENT="5 per minute",
    )
    client = app.test_client()
    caplog.set_level(logging.INFO, logger="flask-limiter")
    try:
        assert client.get("/r/%s?lang=en" % make_token("REQ/2026/00001")).status_code == 200
        assert redis_server.keys() > 0  # counted in Redis
        # A worker that has run for a while: Flask-Limiter then checks Redis again at once when a
        # count fails, so the first page waits for two timeouts.
        time.sleep(1.1)

        if fault == "stalls":
            redis_server.pause()
        else:
            redis_server.stop()
        # Counted in this process's memory meanwhile, from zero: five pages, then the limit.
        errors = io.StringIO()
        codes, times = _pages_within(client, 6, seconds=15, errors=errors)
        assert codes == [200] * 5 + [429]
        # Two timeouts of 0.3 s for the first page, nothing for the next ones (redis-py alone: 5 s each).
        assert times[0] < 2 and max(times[1:]) < 1, "pages took %s s while Redis was down" % [
            round(seconds, 2) for seconds in times]
        # The service's log says so, once.
        assert errors.getvalue().count("Rate limit storage unreachable - falling back to in-memory storage") == 1

        if fault == "stalls":
            redis_server.resume()
            time.sleep(0.2)  # the counts sent before the timeouts, now carried out, then wiped
            redis_server.client().flushdb()
        else:
            redis_server.start()
        # Back to Redis at the limiter's next check (it checks again after 1, 2, 4 ... 32 s).
        deadline = time.monotonic() + 45
        while redis_server.keys() == 0:
            assert time.monotonic() < deadline, "the limits never went back to Redis"
            client.get("/r/%s?lang=en" % make_token("REQ/2026/00002"))
            time.sleep(0.2)
        assert "Rate limit storage recovered" in caplog.text
    finally:
        app.extensions["feedback_db"]["engine"].dispose()


def test_redis_waits_are_bounded_and_configurable(monkeypatch):
    assert storage_options({"RATELIMIT_STORAGE_URI": "memory://", "FEEDBACK_RATELIMIT_STORAGE_TIMEOUT": 0.5}) == {}
    assert storage_options({"RATELIMIT_STORAGE_URI": "redis://redis:6379/0", "FEEDBACK_RATELIMIT_STORAGE_TIMEOUT": 0.5}) == {
        "socket_connect_timeout": 0.5, "socket_timeout": 0.5,
    }
    monkeypatch.setenv("FEEDBACK_SECRET", "s" * 40)
    monkeypatch.setenv("FEEDBACK_RATELIMIT_STORAGE_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="FEEDBACK_RATELIMIT_STORAGE_TIMEOUT must be a number of seconds"):
        make_app("sqlite://")


def test_redis_killed_during_a_burst_costs_no_rating(tmp_path, sqlite_url, redis_server):
    service = Gunicorn(sqlite_url, tmp_path / "gunicorn.log", FEEDBACK_RATELIMIT_STORAGE_URL=redis_server.url)
    app = make_app(sqlite_url)
    try:
        service.start()
        jobs = rating_jobs(120)
        burst = Burst(service.url, jobs).start()
        burst.wait_for(40)
        redis_server.kill()
        outcomes = burst.join()
    finally:
        service.stop()
    log = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    assert len(outcomes) == 120
    # The workers' own answers only: no error page, every client got its thank-you page.
    assert {ref: attempts for ref, attempts in outcomes.items() if attempts != ["thanks"]} == {}
    assert "Rate limit storage unreachable - falling back to in-memory storage" in log
    stored, totals = stored_ratings(app)
    assert {ref: value for ref, (value, _outbox) in stored.items()} == {
        ref: fields["rating"] for ref, _token, fields in jobs
    }
    assert totals == (120, 120)
    app.extensions["feedback_db"]["engine"].dispose()
