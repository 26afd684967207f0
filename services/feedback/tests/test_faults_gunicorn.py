"""kill -9 during a burst of ratings: what a beneficiary was thanked for is kept, and kept once.

The service runs under the real gunicorn with its own gunicorn.conf.py (two
workers, two threads each), on SQLite in WAL mode and, when
FEEDBACK_TEST_POSTGRES_URL is set, on PostgreSQL. Eight client threads on
127.0.0.1 rate 200 requests the way a phone's browser does (open the link, take
the CSRF token and the session cookie, send the form). Meanwhile one worker is
killed with SIGKILL, and later the master itself; the master is started again,
as a supervisor would. A client whose connection broke tries again, as a
person would press the button again.

What must hold afterwards, in the database:
* every rating whose thank-you page reached the client is there, with the
  value that was sent;
* no request is there twice, and every rating has exactly one outbox row;
* a client that got "already rated" had lost an earlier answer (its rating was
  committed, the reply was cut), never a rating it had not sent.

Slow: about 15 s per database (no `slow` marker: pyproject.toml registers
none). scripts/test.sh runs it in the service tier. The classes here also
drive the sync fault tests (test_faults_sync.py).
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from feedback import db
from feedback.models import OutboxItem, Rating

from helpers import SECRET, SERVICE, make_token

# Loopback ports for the servers of these tests (another range may be busy on a shared machine).
PORTS = range(8380, 8400)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
THANKS = "Thank you!"
ALREADY = "already been rated"


def free_port():
    """A free port in PORTS, else any free loopback port."""
    for port in list(PORTS) + [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def service_environment(database_url, **settings):
    """The environment of a service process (gunicorn or the command line) on `database_url`."""
    return dict(os.environ, FEEDBACK_SECRET=SECRET, FEEDBACK_DATABASE_URL=database_url,
                FEEDBACK_LOG_LEVEL="warning", **settings)


class Gunicorn:
    """The service under gunicorn.conf.py, as `services/feedback/run-dev.sh` starts it."""

    def __init__(self, database_url, log_path, **environ):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        settings = {
            "FEEDBACK_PUBLIC_URL": self.url,
            "FEEDBACK_BIND": "127.0.0.1:%d" % self.port,
            "FEEDBACK_WORKERS": "2",
            "FEEDBACK_THREADS": "2",
            "FEEDBACK_ACCESS_LOG": "/dev/null",
            # One client address sends the whole burst; the limits are tested elsewhere.
            "FEEDBACK_RATELIMIT_PER_CLIENT": "100000 per minute",
            "FEEDBACK_RATELIMIT_PER_TOKEN": "1000 per minute",
        }
        settings.update(environ)
        self.environ = service_environment(database_url, **settings)
        self.process = None

    def start(self, timeout=30):
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "feedback:create_app()"],
                cwd=SERVICE, env=self.environ, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if get(self.url + "/readyz")[0] == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("gunicorn did not become ready:\n" + self.log())
            time.sleep(0.1)

    def workers(self):
        """PIDs of the master's children (its workers)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry, encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.append(int(entry))
        return found

    def kill_worker(self):
        pid = self.workers()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master(self, orphan_grace=5.0):
        """SIGKILL the master; the workers notice they lost their parent and leave.

        Whatever is still alive after `orphan_grace` seconds is killed too, as
        the container runtime or systemd would do with the rest of the group.
        """
        orphans = self.workers()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        deadline = time.monotonic() + orphan_grace
        while orphans and time.monotonic() < deadline:
            orphans = [pid for pid in orphans if _alive(pid)]
            time.sleep(0.05)
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.workers()
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()[-4000:]


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def get(url, timeout=5):
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + url.split("//", 1)[1].split("/", 1)[1])
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Visitor:
    """One phone's browser: a cookie jar of one session cookie, a new connection per request."""

    def __init__(self, base_url, timeout=10):
        host, port = base_url.split("//", 1)[1].split(":")
        self.address, self.timeout, self.cookie = (host, int(port)), timeout, None

    def send(self, method, path, fields=None):
        headers = {"Accept-Language": "en"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(*self.address, timeout=self.timeout)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookie = value.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def rate(self, token, **fields):
        """Open the link and send the form: "thanks", "already", or "http <status>"."""
        status, page = self.send("GET", "/r/%s?lang=en" % token)
        if status == 200 and ALREADY in page:
            return "already"
        match = CSRF.search(page)
        if status != 200 or not match:
            return "http %d" % status
        fields = dict(fields, csrf_token=match.group(1))
        status, page = self.send("POST", "/r/%s?lang=en" % token, fields)
        if status == 200 and THANKS in page:
            return "thanks"
        if status == 200 and ALREADY in page:
            return "already"
        return "http %d" % status


class Burst:
    """`threads` clients rating `jobs` ((ref, token, fields) ...) as fast as the server lets them.

    A broken connection is tried again (a new page, a new CSRF token), until
    `patience` seconds have passed. `outcomes[ref]` lists every attempt.
    """

    def __init__(self, base_url, jobs, threads=8, patience=60.0):
        self.base_url, self.jobs, self.patience = base_url, list(jobs), patience
        self.outcomes = {}
        self.done = 0
        self.started = None
        self._next = 0
        self._lock = threading.Condition()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]

    def start(self):
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def wait_for(self, count, timeout=60):
        with self._lock:
            assert self._lock.wait_for(lambda: self.done >= count, timeout), "the burst stalled at %d" % self.done

    def join(self, timeout=90):
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in self._threads), "the burst did not finish"
        return self.outcomes

    def _work(self):
        while True:
            with self._lock:
                if self._next >= len(self.jobs):
                    return
                ref, token, fields = self.jobs[self._next]
                self._next += 1
            attempts = []
            while True:
                try:
                    attempts.append(Visitor(self.base_url).rate(token, **fields))
                except (OSError, http.client.HTTPException) as exc:
                    attempts.append("lost: %s" % type(exc).__name__)
                if attempts[-1] in ("thanks", "already") or attempts[-1].startswith("http 5"):
                    break
                if time.monotonic() - self.started > self.patience:
                    break
                time.sleep(0.05)
            with self._lock:
                self.outcomes[ref] = attempts
                self.done += 1
                self._lock.notify_all()


def rating_jobs(count, start=1):
    """(ref, token, form fields) for `count` requests; the rating and answers vary with the number."""
    return [
        (
            "REQ/2026/%05d" % number,
            make_token("REQ/2026/%05d" % number),
            {"rating": number % 5 + 1, "respect": (number + 2) % 5 + 1, "comment": "burst %d" % number},
        )
        for number in range(start, start + count)
    ]


def stored_ratings(app):
    """{ref: (rating, number of its outbox rows)}, and (ratings, outbox rows) in all."""
    with app.app_context():
        session = db.session()
        rows = session.execute(
            select(Rating.request_ref, Rating.rating, func.count(OutboxItem.id))
            .outerjoin(OutboxItem, OutboxItem.rating_id == Rating.id)
            .group_by(Rating.id, Rating.request_ref, Rating.rating)
        ).all()
        totals = (session.scalar(select(func.count(Rating.id))), session.scalar(select(func.count(OutboxItem.id))))
    return {ref: (value, outbox_rows) for ref, value, outbox_rows in rows}, totals


@pytest.fixture
def service(app, database_url, tmp_path):
    """gunicorn on the test's database (the `app` fixture has migrated it)."""
    server = Gunicorn(database_url, tmp_path / "gunicorn.log")
    yield server
    server.stop()


def test_kill_9_of_a_worker_and_of_the_master_loses_no_thanked_rating_and_doubles_none(app, service):
    jobs = rating_jobs(200)
    service.start()
    burst = Burst(service.url, jobs).start()

    burst.wait_for(60)
    killed_worker = service.kill_worker()
    burst.wait_for(90)
    deadline = time.monotonic() + 10
    while killed_worker in service.workers() or len(service.workers()) != 2:
        assert time.monotonic() < deadline, "the master did not replace the killed worker"
        time.sleep(0.05)

    burst.wait_for(120)
    service.kill_master()
    service.start()  # the supervisor starts it again
    outcomes = burst.join()

    # After the restart the service itself says the thanked ones are rated.
    thanked = [ref for ref, attempts in outcomes.items() if attempts[-1] == "thanks"]
    by_token = {ref: token for ref, token, _fields in jobs}
    for ref in thanked[::40]:
        assert Visitor(service.url).rate(by_token[ref], rating=1) == "already"
    service.stop()

    server_errors = {ref: attempts for ref, attempts in outcomes.items() if any(a.startswith("http") for a in attempts)}
    assert server_errors == {}, "pages other than the form, thank-you or already-rated: %s" % server_errors
    unfinished = {ref: attempts for ref, attempts in outcomes.items() if attempts[-1] not in ("thanks", "already")}
    assert unfinished == {}, "clients that never got an answer: %s" % unfinished
    assert len(outcomes) == 200
    lost = sum(attempt.startswith("lost") for attempts in outcomes.values() for attempt in attempts)
    assert lost > 0, "no request was cut: the kills missed the burst"

    stored, totals = stored_ratings(app)
    sent = {ref: fields["rating"] for ref, _token, fields in jobs}
    missing = [ref for ref in thanked if ref not in stored]
    assert missing == [], "thanked but not in the database: %s" % missing
    assert {ref: stored[ref][0] for ref in thanked} == {ref: sent[ref] for ref in thanked}
    # "already rated" only after an answer was lost: the rating sent then was committed.
    already = {ref: attempts for ref, attempts in outcomes.items() if attempts[-1] == "already"}
    assert all(attempts[0].startswith("lost") for attempts in already.values()), already
    assert {ref: stored[ref][0] for ref in already} == {ref: sent[ref] for ref in already}
    # Nothing twice: one rating per request, one outbox row per rating, nothing else.
    assert set(stored) == set(sent)
    assert totals == (200, 200)
    assert {outbox_rows for _value, outbox_rows in stored.values()} == {1}
