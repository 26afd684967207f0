"""The rate limits' counters in the workers' memory: counted as limits counts them, swept once a second."""

import time

import pytest
from limits.storage import MemoryStorage

from feedback import ratelimit_storage
from feedback.ratelimit_storage import SweptMemoryStorage, storage_uri
from helpers import make_app, make_token


@pytest.fixture
def storage():
    swept = SweptMemoryStorage(ratelimit_storage.SCHEME + "://")
    swept.timer.join()  # the first sweep, which limits starts at once
    sweeps = []
    real_sweep = swept._MemoryStorage__expire_events  # pylint: disable=protected-access

    def counted_sweep():
        sweeps.append(time.monotonic())
        real_sweep()

    # The hook reads the sweep from the instance when it schedules one.
    swept._MemoryStorage__expire_events = counted_sweep  # pylint: disable=protected-access
    swept.sweeps = sweeps
    yield swept
    swept.timer.cancel()


def test_a_burst_of_new_links_starts_one_sweep_a_second_not_one_per_10_ms(storage):
    """500 links counted over about half a second: limits' own storage would sweep every 10 ms,
    walking every counter each time; this one sweeps a second after the first count."""
    started = time.monotonic()
    for number in range(500):
        storage.incr("feedback/token:%d" % number, 60)
        if number % 10 == 0:
            time.sleep(0.01)
    time.sleep(max(0.0, started + ratelimit_storage.SWEEP_SECONDS + 0.5 - time.monotonic()))
    elapsed = time.monotonic() - started
    assert storage.sweeps, "a sweep ran within a second and a half of the first count"
    assert storage.sweeps[0] - started >= ratelimit_storage.SWEEP_SECONDS - 0.05, "not before the second is up"
    assert len(storage.sweeps) <= 1 + elapsed // ratelimit_storage.SWEEP_SECONDS, storage.sweeps
    assert storage.timer.daemon, "a worker that stops would wait for the next sweep"


def test_counters_nobody_reads_again_are_removed_by_the_sweep(storage, monkeypatch):
    """A link opened once leaves no counter behind once its minute is over: memory stays bounded."""
    # a longer pace than the default, so that "not yet" holds on a busy machine
    monkeypatch.setattr(ratelimit_storage, "SWEEP_SECONDS", 2.0)
    started = time.monotonic()
    for number in range(100):
        storage.incr("feedback/token:%d" % number, 0.2)
    storage.incr("feedback/client:127.0.0.1", 60)
    time.sleep(0.3)
    assert len(storage.storage) == 101, "nothing is swept before the pace is up"
    deadline = started + 2.0 + 3
    while len(storage.storage) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dict(storage.storage) == {"feedback/client:127.0.0.1": 1}
    assert list(storage.expirations) == ["feedback/client:127.0.0.1"]
    assert storage.sweeps, "the sweep ran"


def test_counts_and_expiry_are_limits_own(storage, monkeypatch):
    # no sweep during this test: what is read is limits' own counting and lazy expiry
    monkeypatch.setattr(ratelimit_storage, "SWEEP_SECONDS", 30.0)
    assert [storage.incr("feedback/token:a", 1.0) for _ in range(3)] == [1, 2, 3]
    assert storage.get("feedback/token:a") == 3
    time.sleep(1.1)
    assert storage.sweeps == []
    assert storage.get("feedback/token:a") == 0, "an expired counter reads as zero before any sweep"
    assert storage.incr("feedback/token:a", 1.0) == 1


@pytest.mark.parametrize("uri", ["memory://", "memory:///", "MEMORY://", "memory://localhost"])
def test_every_memory_url_selects_the_swept_storage(uri):
    assert storage_uri(uri) == "feedback-memory://"


def test_other_storage_urls_are_unchanged():
    assert storage_uri("redis://redis:6379/0") == "redis://redis:6379/0"
    assert storage_uri("rediss://:secret@redis:6380/1") == "rediss://:secret@redis:6380/1"


def test_the_app_counts_its_limits_in_the_swept_storage(tmp_path):
    app = make_app("sqlite:///%s" % (tmp_path / "feedback.sqlite3"), FEEDBACK_RATELIMIT_PER_TOKEN="2 per minute")
    limiter_storage = app.extensions["feedback_limiter"].storage
    assert isinstance(limiter_storage, SweptMemoryStorage) and isinstance(limiter_storage, MemoryStorage)
    link = "/r/" + make_token("BR/2026/00042")
    client = app.test_client()
    assert [client.get(link).status_code for _ in range(3)] == [200, 200, 429]
    # one counter for the address, one for the link, each at 3
    assert sorted(limiter_storage.storage.values()) == [3, 3], dict(limiter_storage.storage)
