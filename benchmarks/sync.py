"""Benchmark of the sync: 20,000 outbox rows drained into Odoo over XML-RPC, batched and not.

    .venv/bin/python benchmarks/sync.py [--rows 20000] [--unbatched-rows 1000] [--no-odoo]

The service's own code does the work (feedback.sync.drain with its OdooClient), from a fresh
SQLite outbox filled with `--rows` ratings (signed links, realistic ratings: 15% are 1 or 2).
It drains them in batches of 200 (FEEDBACK_SYNC_BATCH_SIZE's default), then drains
`--unbatched-rows` other ratings one call per rating, and scales: ratio = ratings/s batched
over ratings/s unbatched. First into the loopback fake Odoo of tests/contract (its own process),
then, when Odoo 18.0 is installed, into a real Odoo (--workers=2, the addon installed, one
delivered request per rating: import_feedback rejects a link whose request does not exist).

Printed: ratings/s, round trips (HTTP calls: one login + one per batch), the time spent waiting
for Odoo, Odoo's own time per 1,000 imports (from its request log: SQL + Python per call) and
an in-process probe of import_feedback's cost with and without low ratings. Against the fake it
also times XML-RPC alone (the same calls with ratings built beforehand, no outbox), and from it
the highest ratio the fake allows: one call per rating as measured over what XML-RPC alone costs
a batched rating.
"""

import argparse
import contextlib
import datetime
import hashlib
import os
import random
import re
import statistics
import sys
import tempfile
import time

import _bench
from _bench import SECRET, SERVICE, say

sys.path.insert(0, SERVICE)
from feedback import create_app, db  # noqa: E402
from feedback.models import OutboxItem, Rating, utcnow  # noqa: E402
from feedback.sync import OdooClient, Policy, drain  # noqa: E402
from feedback.tokens import issue_token  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

FAKE_PORT = 8486
ODOO_PORT, ODOO_GEVENT_PORT = 8487, 8488
ODOO_DB, TEMPLATE = "bench_sync", "bench_addon_tmpl"
FAKE = {"db": "bench_fake", "login": "feedback-service", "api_key": "fake-api-key"}
BATCH = 200
TARGET_RATIO = 20
# How beneficiaries rate, roughly: mostly satisfied, 15% rate 1 or 2.
RATING_WEIGHTS = {5: 50, 4: 25, 3: 10, 2: 8, 1: 7}


class TimedClient(OdooClient):
    """The service's client, counting and timing its calls (each is one HTTP round trip)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.logins, self.calls = 0, []  # calls: (ratings in the batch, seconds)
        self.starts = []  # when each call began

    def gaps_ms(self):
        """The service's own time between one call's reply and the next call, per batch: saving
        the outcome and reading the next batch from the outbox."""
        return [(start - (previous + seconds)) * 1000 for previous, (_size, seconds), start
                in zip(self.starts, self.calls, self.starts[1:])]

    def rate_over(self, first, last):
        """Ratings/s from the start of call `first` to the start of call `last` (wall time: the
        service's own work between calls included)."""
        if not 0 <= first < last < len(self.starts):
            return float("nan")  # too few calls for that span
        sent = sum(size for size, _seconds in self.calls[first:last])
        return sent / (self.starts[last] - self.starts[first])

    def login(self):
        self.logins += 1
        return super().login()

    def import_feedback(self, vals_list):
        started = time.perf_counter()
        self.starts.append(started)
        try:
            return super().import_feedback(vals_list)
        finally:
            self.calls.append((len(vals_list), time.perf_counter() - started))


def service_app(workdir, name):
    path = os.path.join(workdir, name + ".sqlite3")
    app = create_app({"FEEDBACK_SECRET": SECRET, "FEEDBACK_DATABASE_URL": "sqlite:///" + path,
                      "FEEDBACK_LOG_LEVEL": "WARNING", "TESTING": False})
    with app.app_context():
        db.upgrade()
    return app


def fill_outbox(app, refs, seed):
    """One submitted rating and its pending outbox row per reference, as the rating page writes them."""
    rng = random.Random(seed)
    now = utcnow()
    scores, weights = zip(*RATING_WEIGHTS.items(), strict=True)
    with app.app_context():
        session = db.session()
        for start in range(0, len(refs), 2000):
            rows = []
            for ref in refs[start:start + 2000]:
                token = issue_token(SECRET, ref, 30)
                rating = Rating(
                    request_ref=ref,
                    token_sha256=hashlib.sha256(token.encode("ascii")).hexdigest(),
                    rating=rng.choices(scores, weights)[0],
                    answers={code: rng.randint(3, 5) for code in ("respect", "time", "overall")},
                    comment=rng.choice(("", "", "Thank you.", "The basket arrived late but complete.")),
                    submitted_at=now - datetime.timedelta(seconds=rng.randint(60, 3600)),
                )
                rating.outbox = OutboxItem(token=token, next_attempt_at=now - datetime.timedelta(seconds=1))
                rows.append(rating)
            session.add_all(rows)
            session.commit()
        session.close()


def drain_all(app, client, batch_size):
    """Drain every due row with the service's drain(); wall seconds and what it reported."""
    policy = Policy(batch_size=batch_size, max_attempts=12, backoff_base=30.0, backoff_max=3600.0)
    with app.app_context():
        session = db.session()
        started = time.perf_counter()
        drained = drain(session, client, policy)
        wall = time.perf_counter() - started
        states = dict(session.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all())
        session.close()
    return {"wall": wall, "report": drained, "states": states}


MODES = (("batched", BATCH, "SYNC"), ("unbatched", 1, "SYNC1"))


def run_mode(label, mode, count, url, odoo_db, login, key, workdir, server_log=None):
    """Drain `count` fresh outbox rows in `mode` (batched: 200 per call; unbatched: 1); its figures."""
    batch_size, prefix = next((size, prefix) for name, size, prefix in MODES if name == mode)
    app = service_app(workdir, "%s-%s" % (label, mode))
    fill_outbox(app, ["%s-%06d" % (prefix, n) for n in range(1, count + 1)], seed=len(mode))
    client = TimedClient(url, odoo_db, login, key, 5.0, 600.0)
    log_offset = os.path.getsize(server_log) if server_log else 0
    result = drain_all(app, client, batch_size)
    result.update(rows=count, batch=batch_size, client=client)
    if server_log:
        result["server"] = odoo_request_times(server_log, log_offset)
    drained = result["report"]
    say("  %-9s %6d rows, batch %3d: %7.1f s, %7.1f ratings/s, %d round trips; outbox %s; %s" % (
        mode, count, batch_size, result["wall"], drained.sent / result["wall"],
        client.logins + len(client.calls), result["states"], drained))
    return result


# Odoo's werkzeug line: "POST /xmlrpc/2/object HTTP/1.1" 200 - <queries> <sql seconds> <other seconds>
_ODOO_LINE = re.compile(r'"POST /xmlrpc/2/object HTTP/[0-9.]+" 200 - (\d+) ([0-9.]+) ([0-9.]+)')


def odoo_request_times(log_path, offset):
    """Queries and seconds (SQL, Python) Odoo logged for each XML-RPC object call after `offset`."""
    with open(log_path, "rb") as log:
        log.seek(offset)
        text = log.read().decode("utf-8", "replace")
    calls = [(int(q), float(sql), float(other)) for q, sql, other in _ODOO_LINE.findall(text)]
    return {
        "calls": len(calls),
        "queries": sum(call[0] for call in calls),
        "sql_s": sum(call[1] for call in calls),
        "python_s": sum(call[2] for call in calls),
    }


def fake_odoo(workdir, options):
    _bench.banner("Sync into the loopback fake Odoo (tests/contract/xmlrpc_fake_odoo.py, its own process)")
    script = os.path.join(_bench.ROOT, "tests", "contract", "xmlrpc_fake_odoo.py")
    argv = [sys.executable, script, "--secret", SECRET, "--port", str(FAKE_PORT), "--db", FAKE["db"],
            "--login", FAKE["login"], "--api-key", FAKE["api_key"]]
    url = "http://127.0.0.1:%d" % FAKE_PORT

    @contextlib.contextmanager
    def fresh_fake():
        # A fresh fake for each measure: it keeps what it imported in memory.
        with _bench.Server(argv, log_path=os.path.join(workdir, "fake-odoo.log")):
            if not _bench.wait_port(FAKE_PORT, 30):
                sys.exit("the fake Odoo did not start")
            yield

    result = {}
    for mode, count in (("batched", options.rows), ("unbatched", options.unbatched_rows)):
        with fresh_fake():
            result[mode] = run_mode("fake", mode, count, url, FAKE["db"], FAKE["login"], FAKE["api_key"], workdir)
    with fresh_fake():
        result["protocol"] = protocol_only(url, options)
    calls = [seconds for _size, seconds in result["batched"]["client"].calls]
    if len(calls) >= 20:
        say("  the fake's time per batch of %d as it fills (it must not grow): first 10 batches %.0f ms each, "
            "last 10 %.0f ms each" % (BATCH, 1000 * _bench.median(calls[:10]), 1000 * _bench.median(calls[-10:])))
    return result


def protocol_only(url, options):
    """The same calls with nothing around them: the service's OdooClient sends ratings built
    beforehand, with no outbox read and no outcome written. What batching can gain against the
    fake is bounded by this ratio: XML-RPC's own cost per rating (built, parsed, checked and
    answered on both sides) against the cost of a call."""
    now = time.time()
    submitted = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - 60))

    def vals(prefix, count):
        return [{"token": issue_token(SECRET, "%s-%06d" % (prefix, n), 30), "rating": 5, "comment": "On time.",
                 "submitted_at": submitted, "answers": {"respect": 5, "time": 4, "overall": 5}}
                for n in range(1, count + 1)]

    client = OdooClient(url, FAKE["db"], FAKE["login"], FAKE["api_key"])
    client.login()
    single, batched = vals("PROTO1", options.unbatched_rows), vals("PROTO", options.rows)
    started = time.perf_counter()
    for item in single:
        client.import_feedback([item])
    one = (time.perf_counter() - started) / len(single)
    started = time.perf_counter()
    for start in range(0, len(batched), BATCH):
        client.import_feedback(batched[start:start + BATCH])
    each = (time.perf_counter() - started) / len(batched)
    say("  XML-RPC alone (no outbox): one call per rating %.2f ms, a rating in a batch of %d %.3f ms: %.1fx" % (
        1000 * one, BATCH, 1000 * each, one / each))
    return {"one_ms": 1000 * one, "batched_ms": 1000 * each, "ratio": one / each}


def real_odoo(workdir, options):
    _bench.banner("Sync into a real Odoo 18.0 (beneficiary_relations installed, --workers=2)")
    log = os.path.join(workdir, "odoo-install.log")
    _bench.addon_template(TEMPLATE, log)
    _bench.createdb(ODOO_DB, template=TEMPLATE)
    names = ["SYNC-%06d" % n for n in range(1, options.rows + 1)]
    names += ["SYNC1-%06d" % n for n in range(1, options.unbatched_rows + 1)]
    names_file = os.path.join(workdir, "request-names.txt")
    with open(names_file, "w", encoding="ascii") as handle:
        handle.write("\n".join(names) + "\n")
    addons = _bench.ODOO_ADDONS + "," + _bench.ADDONS
    login = "bench_feedback_service"
    filled = _bench.run_odoo_script(
        "odoo_fill.py", ["sync", "--db", ODOO_DB, "--addons-path", addons, "--names", names_file,
                         "--login", login, "--secret", SECRET],
        log_path=os.path.join(workdir, "odoo-fill.log"),
    )
    say("  %d delivered requests named like the links (%.0f s)" % (filled["requests"], filled["seconds"]))
    # As autovacuum does in a living database: the bulk INSERT left the trigram index of the
    # reference full of pending entries, which every lookup by reference would scan.
    _bench.psql(ODOO_DB, "VACUUM ANALYZE beneficiary_request")
    server_log = os.path.join(workdir, "odoo-server.log")
    server = _bench.odoo_server(ODOO_DB, addons, ODOO_PORT, ODOO_GEVENT_PORT, 2, server_log)
    try:
        result = {
            mode: run_mode("odoo", mode, count, "http://127.0.0.1:%d" % ODOO_PORT, ODOO_DB, login,
                           filled["api_key"], workdir, server_log=server_log)
            for mode, count in (("batched", options.rows), ("unbatched", options.unbatched_rows))
        }
    finally:
        server.stop()
    stored = _bench.psql(ODOO_DB, "SELECT count(*), count(DISTINCT request_id), count(DISTINCT token_ref) "
                                  "FROM beneficiary_feedback")
    followups = _bench.psql(ODOO_DB, "SELECT count(*) FROM mail_activity WHERE summary LIKE 'Low satisfaction%'")
    result["stored"] = stored
    say("  in Odoo: feedback rows, distinct requests, distinct links = %s; low-rating follow-ups %s" % (
        stored.replace("|", ", "), followups))
    _bench.psql(ODOO_DB, "VACUUM ANALYZE beneficiary_request")
    result["probe"] = _bench.run_odoo_script(
        "odoo_fill.py", ["probe", "--db", ODOO_DB, "--addons-path", addons, "--login", login, "--secret", SECRET],
        log_path=os.path.join(workdir, "odoo-probe.log"),
    )
    _bench.dropdb(ODOO_DB)
    return result


def report(results):
    _bench.banner("Sync: figures")
    rows, checks, notes = [], [], []
    for target, result in results.items():
        rates = {}
        for mode in ("batched", "unbatched"):
            run_ = result[mode]
            client = run_["client"]
            waiting = sum(seconds for _size, seconds in client.calls)
            rates[mode] = run_["report"].sent / run_["wall"]
            server = run_.get("server")
            per_k = 1000.0 / run_["rows"]
            rows.append([
                target, mode, run_["rows"], run_["batch"], client.logins + len(client.calls),
                "%.1f" % run_["wall"], "%.0f" % rates[mode], "%.2f" % (waiting * per_k),
                "%.2f" % ((server["sql_s"] + server["python_s"]) * per_k) if server else "-",
                "%.0f" % (server["queries"] * per_k) if server else "-",
            ])
        ratio = rates["batched"] / rates["unbatched"]
        if "protocol" in result:
            proto = result["protocol"]
            # Were the service's own work on a batch (the outbox read, the outcomes written) free,
            # a batched rating would still cost what XML-RPC alone costs it.
            one_call_ms = 1000.0 / rates["unbatched"]
            notes.append("  %s: XML-RPC alone (no outbox) costs %.2f ms a call and %.3f ms a rating in a batch (%.1fx); "
                         "with the outbox's work free in batches, the ratio could reach at most %.1fx (one call per "
                         "rating as measured, %.2f ms, over XML-RPC's own %.3f ms)" % (
                             target, proto["one_ms"], proto["batched_ms"], proto["ratio"],
                             one_call_ms / proto["batched_ms"], one_call_ms, proto["batched_ms"]))
        checks.append(("%s: batched (%d) vs one call per rating >= %dx" % (target, BATCH, TARGET_RATIO),
                       "%.1fx" % ratio, ratio >= TARGET_RATIO))
        client = result["batched"]["client"]
        calls = len(client.calls)
        early, late = client.rate_over(0, 10), client.rate_over(calls - 11, calls - 1)
        notes.append("  %s, batched: %.0f ratings/s over the first 10 calls, %.0f over the last 10 (%.1fx and %.1fx "
                     "the unbatched rate)" % (target, early, late, early / rates["unbatched"],
                                              late / rates["unbatched"]))
        gaps = client.gaps_ms()
        if len(gaps) >= 20:
            notes.append("  %s, batched: the service's own time between calls (the outcome saved, the next batch "
                         "read) %.1f ms over the first 10, %.1f ms over the last 10 (it must not grow with the "
                         "backlog)" % (target, statistics.mean(gaps[:10]), statistics.mean(gaps[-10:])))
        unsent = sum(result[mode]["states"].get(state, 0) for mode in ("batched", "unbatched")
                     for state in ("pending", "dead"))
        checks.append(("%s: every outbox row sent, none pending or dead" % target, "%d not sent" % unsent,
                       unsent == 0))
    _bench.table(rows, ["into", "mode", "rows", "batch", "round trips", "wall s", "ratings/s",
                        "s waiting per 1000", "Odoo s per 1000", "Odoo queries per 1000"])
    say("  ('s waiting': the service's time in XML-RPC calls; 'Odoo s': SQL + Python time Odoo logged for them)")
    for note in notes:
        say(note)
    odoo = results.get("Odoo 18")
    if odoo:
        count, requests, links = (int(n) for n in odoo["stored"].split("|"))
        expected = odoo["batched"]["rows"] + odoo["unbatched"]["rows"]
        checks.append(("Odoo 18: one feedback per rating sent, no duplicate", "%d rows / %d sent" % (count, expected),
                       count == requests == links == expected))
        probe = odoo["probe"]
        say("\nimport_feedback in-process, 1,000 ratings in batches of 200, %d requests in the table "
            "(each run rolled back):" % probe["requests in the table"])
        for label, figures in probe.items():
            if isinstance(figures, dict) and "seconds" in figures:
                say("  %-48s %6.2f s  %5d queries  (%d low ratings, %d created)" % (
                    label, figures["seconds"], figures["queries"], figures["low"], figures["created"]))
        say("finding 200 requests by reference (search name in [...]), median of 5:")
        for label, ms in probe["name lookup of 200 references, median ms"].items():
            say("  %-48s %7.1f ms" % (label, ms))
    _bench.print_targets(checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--unbatched-rows", type=int, default=1000)
    parser.add_argument("--no-odoo", action="store_true")
    options = parser.parse_args()
    _bench.banner("Sync benchmark: %s" % " ".join(sys.argv))
    _bench.print_machine()
    _bench.check_ports(FAKE_PORT, ODOO_PORT, ODOO_GEVENT_PORT)
    workdir = tempfile.mkdtemp(prefix="bench_sync_")
    say("work folder (outboxes, logs): %s" % workdir)
    results = {"fake Odoo": fake_odoo(workdir, options)}
    why_not = "--no-odoo given" if options.no_odoo else _bench.odoo_available()
    if why_not:
        say("\n!!!!! SKIPPING the real Odoo: %s !!!!!" % why_not)
    else:
        results["Odoo 18"] = real_odoo(workdir, options)
    report(results)
    say("\nload average at the end: %s   finished %s" % (_bench.load(), time.strftime("%Y-%m-%d %H:%M:%S")))


if __name__ == "__main__":
    main()
