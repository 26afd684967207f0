"""The rate limits' counters in each worker's memory, swept once a second.

limits' own memory storage (what ``memory://`` means to Flask-Limiter) removes expired counters
from a timer thread that it starts again 10 ms after the last one, for as long as requests keep
coming, and each run walks every counter. The per-link limit keeps one counter per link opened in
the last minute, so under a burst of ratings a worker started a hundred threads a second, each
walking thousands of counters: with 3,600 counters (a worker's share of the benchmark's minute)
0.53 ms a sweep and 0.11 ms a thread, 64 ms of every second of CPU: about 1 ms per submission
by that measure, too little to show through the benchmark machine's noise under gunicorn
(benchmarks/RESULTS.md, fix 13). Counters are read and counted exactly as before; only the sweep
of the ones nobody asks for again runs once a second, so a worker's memory holds the last
minute's counters and, while requests come in, none more than about a second older (a worker
that goes quiet sweeps again at its next request, as limits' own storage does).

Any ``memory:`` URL in FEEDBACK_RATELIMIT_STORAGE_URL selects this storage (see `storage_uri`). The
fallback Flask-Limiter uses while Redis is unreachable is still limits' own: it only runs for the
length of an outage.
"""

import threading
from urllib.parse import urlsplit

from limits.storage import MemoryStorage

SCHEME = "feedback-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' MemoryStorage with its expiry sweep at most once every SWEEP_SECONDS."""

    # limits finds a storage by this name (its documented way to add one); see storage_uri.
    STORAGE_SCHEME = [SCHEME]

    # MemoryStorage calls this private hook (its name mangled by Python) on every count. Its
    # version schedules the sweep 10 ms ahead; limits is pinned in requirements.txt, and
    # tests/test_ratelimit_storage.py fails if an upgrade stops calling it.
    def _MemoryStorage__schedule_expiry(self):
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)
            # a worker that stops does not wait for the next sweep
            self.timer.daemon = True
            self.timer.start()


def storage_uri(uri):
    """The URI to give Flask-Limiter for FEEDBACK_RATELIMIT_STORAGE_URL's `uri`: this storage for
    any spelling of limits' memory storage (``memory://``, ``memory:///``, ``MEMORY://``)."""
    if urlsplit(uri).scheme.lower() == "memory":
        return SCHEME + "://"
    return uri
