"""Benchmark of the public rating path: the feedback service under gunicorn, driven by wrk.

    .venv/bin/python benchmarks/rating_path.py [--duration 10] [--clients 32] [--no-odoo]

For SQLite (a fresh file), PostgreSQL (a fresh database bench_feedback) and, when redis-server is
installed, PostgreSQL with the rate limits in Redis as docker-compose.yml runs them, it starts the
service as gunicorn.conf.py configures it, then drives it from wrk on 127.0.0.1 with 32
clients (one connection each) for `--duration` seconds per scenario:

  GET /healthz          liveness, no database: the ceiling of this stack on this machine
  GET /r/<token>        the rating page, a fresh signed link each time
  full submission       GET /r/<token>, read the CSRF field and session cookie, POST the form:
                        rating row and outbox row written in one transaction

then two paced runs of full submissions (32 beneficiaries, each submitting again 1.5-4.5 s
after the thank-you page): from wrk with every client starting in the same millisecond, and for
30 s from threads of this script with each client opening its first link at its own moment,

and prints requests/s, p50/p99 latency, each as a ratio of /healthz in the same run, the
workers' peak RSS, the page's bytes over the wire with what it loads, and PASS/MISS per target.
When Odoo 18.0 is installed it also runs Odoo's own public rating page (rating module:
GET /rate/<token>/5 then POST /rate/<token>/submit_feedback, on project tasks rated through
it) with --workers=2, and prints our figures as ratios of Odoo's.

The per-client rate limit is raised to 1,000,000 per minute for the run (every wrk client
comes from 127.0.0.1); the per-link limit stays at its default, each link being used once.
"""

import argparse
import contextlib
import functools
import http.client
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import _bench
from _bench import SECRET, SERVICE, say

sys.path.insert(0, SERVICE)
from feedback.tokens import issue_token  # noqa: E402  (the service's own token module)

SERVICE_PORT = 8490
REDIS_PORT = 8489
ODOO_PORT, ODOO_GEVENT_PORT = 8483, 8484
PG_DB = "bench_feedback"
ODOO_TEMPLATE, ODOO_DB = "bench_rating_tmpl", "bench_rating_run"
# Targets of issue 6.
TARGET_SHARE_OF_HEALTHZ = 0.25
TARGET_P99_MS = 100
TARGET_WORKER_RSS_MIB = 80
TARGET_PAGE_BYTES = 20 * 1024
TARGET_VS_ODOO_THROUGHPUT = 5
TARGET_VS_ODOO_BYTES = 1 / 20
# The paced run: each client waits 1.5 to 4.5 s before its next submission (about 10/s offered
# with 32 clients), a burst of beneficiaries who all got the text message at once.
PACED_THINK_MS = 3000
# The staggered run: the same pace, but each beneficiary opens the link at their own moment in
# the first 4.5 s instead of all 32 in the same millisecond, for 30 s.
STAGGERED_SECONDS = 30


def service_bin(name):
    for venv in (os.path.join(_bench.ROOT, ".venv"), os.path.join(SERVICE, ".venv")):
        path = os.path.join(venv, "bin", name)
        if os.path.exists(path):
            return path
    sys.exit("no %s found in .venv or services/feedback/.venv: install the service's requirements" % name)


def mint(prefix, count):
    """`count` valid links for distinct request references PREFIX-000001..."""
    return [issue_token(SECRET, "%s-%06d" % (prefix, n), 30) for n in range(1, count + 1)]


def count_rows(url, path):
    sql = "SELECT (SELECT count(*) FROM rating), (SELECT count(*) FROM outbox)"
    if url.startswith("sqlite"):
        with sqlite3.connect(path) as connection:
            return tuple(connection.execute(sql).fetchone())
    return tuple(int(n) for n in _bench.psql(PG_DB, sql).split("|"))


@contextlib.contextmanager
def redis_server(workdir):
    """Debian's redis-server on 127.0.0.1:REDIS_PORT, keeping nothing on disk."""
    argv = [shutil.which("redis-server"), "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", workdir]
    with _bench.Server(argv, log_path=os.path.join(workdir, "redis.log")) as server:
        if not _bench.wait_port(REDIS_PORT, timeout=10):
            sys.exit("redis-server did not start; see %s" % os.path.join(workdir, "redis.log"))
        yield server


def upgrade_schema(env):
    """`flask db upgrade` for the service's database in `env`."""
    subprocess.run([service_bin("flask"), "--app", "feedback", "db", "upgrade"], cwd=SERVICE, env=env,  # noqa: S603
                   check=True, capture_output=True)


def gunicorn(app, env, port, log_path, pythonpath=None):
    """gunicorn as gunicorn.conf.py configures the service, serving `app` on `port`: returned once
    /healthz answers and every worker has booted, as nothing is measured before."""
    argv = [service_bin("gunicorn"), "-c", "gunicorn.conf.py", *(["--pythonpath", pythonpath] if pythonpath else []),
            app]
    server = _bench.Server(argv, cwd=SERVICE, env=env, log_path=log_path)
    # /healthz, as the Docker healthcheck: a worker that answers /readyz loads Alembic for it
    # (about 10 MiB), and the schema is brought up to date beforehand.
    if not _bench.wait_http(port, "/healthz", timeout=60):
        server.stop()
        sys.exit("%s did not become ready; see %s" % (app, log_path))
    expected = int(env.get("FEEDBACK_WORKERS") or min(4, 2 * (os.cpu_count() or 1) + 1))  # gunicorn.conf.py
    deadline = time.monotonic() + 30
    while len(server.children()) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return server


def run_service(backend, options, workdir):
    _bench.banner("Feedback service on %s: gunicorn as configured, %d clients, %ds per scenario"
                  % (backend, options.clients, options.duration))
    sqlite_path = os.path.join(workdir, "feedback-bench.sqlite3")
    if backend == "sqlite":
        url = "sqlite:///" + sqlite_path
    else:
        _bench.createdb(PG_DB)
        url = "postgresql+psycopg://%s:%s@%s/%s" % (_bench.PG["user"], _bench.PG["password"], _bench.PG["host"], PG_DB)
    env = {
        **os.environ,
        "FEEDBACK_SECRET": SECRET,
        "FEEDBACK_DATABASE_URL": url,
        "FEEDBACK_BIND": "127.0.0.1:%d" % SERVICE_PORT,
        "FEEDBACK_PUBLIC_URL": "http://127.0.0.1:%d" % SERVICE_PORT,
        "FEEDBACK_RATELIMIT_PER_CLIENT": "1000000 per minute",
        "FEEDBACK_ACCESS_LOG": os.path.join(workdir, "access-%s.log" % backend),
    }
    upgrade_schema(env)
    # Enough links that no client runs out: far above what this stack can serve in the time.
    per_run = max(2000, options.duration * 2500)
    files = {
        "warm": _bench.split_tokens(mint("W" + backend[0], 2000), options.clients, os.path.join(workdir, "warm")),
        "page": _bench.split_tokens(mint("P" + backend[0], per_run), options.clients, os.path.join(workdir, "page")),
        "submit": _bench.split_tokens(mint("S" + backend[0], per_run), options.clients, os.path.join(workdir, "submit")),
        "paced": _bench.split_tokens(mint("R" + backend[0], 3000), options.clients, os.path.join(workdir, "paced")),
    }
    log_path = os.path.join(workdir, "gunicorn-%s.log" % backend)
    with contextlib.ExitStack() as stack:
        if backend.endswith("+redis"):
            # The limit counts in Redis, as docker-compose.yml runs the service (its CPU is not in the
            # workers' figure, like PostgreSQL's).
            stack.enter_context(redis_server(workdir))
            env["FEEDBACK_RATELIMIT_STORAGE_URL"] = "redis://127.0.0.1:%d/0" % REDIS_PORT
        server = stack.enter_context(gunicorn("feedback:create_app()", env, SERVICE_PORT, log_path))
        workers = server.children()
        say("gunicorn master %d, %d workers %s, load %s" % (server.pid, len(workers), workers, _bench.load()))
        watch = _bench.MemoryWatch(server.pid).start()
        _bench.wrk(SERVICE_PORT, "page", files["warm"], options.clients, 2)  # warm every worker
        figures = {}
        access_log = env["FEEDBACK_ACCESS_LOG"]
        for name, mode, arg, think in (
            ("healthz", "plain", "/healthz", 0),
            ("page", "page", files["page"], 0),
            ("submit", "submit", files["submit"], 0),
            ("paced", "submit", files["paced"], PACED_THINK_MS),
        ):
            duration = max(options.duration, 10) if think else options.duration
            figures[name] = result = measured(server, access_log, functools.partial(
                _bench.wrk, SERVICE_PORT, mode, arg, options.clients, duration, think_ms=think))
            say("  %-8s %8.1f /s  p50 %7.1f ms  p99 %7.1f ms  (failed %d, sockets %s, out of links %d); "
                "inside the server per request: p50 %s ms, p99 %s ms" % (
                    name, result["flows"] / result["duration_s"], result[lat(name)]["p50"], result[lat(name)]["p99"],
                    result["bad"], result["socket_errors"], result["ran_out_of_tokens"],
                    result["server_ms"]["p50"], result["server_ms"]["p99"]))
        figures["staggered"] = result = measured(server, access_log, functools.partial(
            staggered, SERVICE_PORT, mint("T" + backend[0], 3000), options.clients))
        say("  %-8s %8.1f /s  p50 %7.1f ms  p99 %7.1f ms  (failed %d); inside the server per request: "
            "p50 %s ms, p99 %s ms" % ("staggered", result["flows"] / result["duration_s"], result["flow"]["p50"],
                                      result["flow"]["p99"], result["bad"], result["server_ms"]["p50"],
                                      result["server_ms"]["p99"]))
        watch.stop()
        pss = {pid: _bench.pss_kib(pid) / 1024 for pid in server.children()}
        rows = count_rows(url, sqlite_path)
        weight = _bench.page_weight(SERVICE_PORT, "/r/" + mint("G" + backend[0], 1)[0])
    if backend != "sqlite":
        _bench.dropdb(PG_DB)
    submitted = figures["submit"]["flows"] + figures["paced"]["flows"] + figures["staggered"]["flows"]
    say("  rows after the run: rating %d, outbox %d; thank-you pages received %d (rows may exceed them by "
        "the submissions still in flight when wrk stopped)" % (rows[0], rows[1], submitted))
    return {
        "figures": figures,
        "worker_rss_peak_mib": watch.max_mib(),
        "worker_rss_peaks_mib": {pid: kib / 1024 for pid, kib in watch.peak.items()},
        "worker_pss_end_mib": pss,
        "rows": rows,
        "rows_ok": rows[0] == rows[1] and submitted <= rows[0] <= submitted + 2 * options.clients,
        "weight": weight,
    }


def measured(server, access_log, run):
    """`run()`'s figures, with the workers' CPU per flow and gunicorn's own request times meanwhile."""
    cpu_before = _bench.cpu_seconds(server.children())
    log_before = access_log_lines(access_log)
    result = run()
    result["cpu_ms"] = 1000 * (_bench.cpu_seconds(server.children()) - cpu_before) / max(result["flows"], 1)
    result["server_ms"] = server_times(access_log, log_before)
    return result


def staggered(port, tokens, clients, seconds=STAGGERED_SECONDS, think_ms=PACED_THINK_MS):
    """Paced submissions from `clients` threads of this process (not wrk: wrk opens every
    connection at once, and a connection that waits holds a gthread worker's thread). Each client
    opens its first link at a random moment of the first 1.5 think times, then submits again 0.5x
    to 1.5x `think_ms` after each thank-you page, on one keep-alive connection, until `seconds`
    have passed. Returns what wrk_flow.lua returns for a flow: rate, p50/p99 of the whole submission."""
    latencies, failures, lock = [], [0], threading.Lock()
    started = time.monotonic()
    stop = started + seconds
    think = think_ms / 1000.0

    def client(number):
        rng = random.Random(number)
        mine = tokens[number::clients]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(1.5 * think * rng.random())
        for token in mine:
            if time.monotonic() >= stop:
                break
            begin = time.perf_counter()
            try:
                connection.request("GET", "/r/" + token)
                page = connection.getresponse()
                html = page.read().decode("utf-8")
                cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
                csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
                connection.request("POST", "/r/" + token, "csrf_token=%s&rating=5&respect=5&time=4&clarity=5"
                                   "&promptness=4&overall=5&comment=On%%20time." % csrf,
                                   {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
                reply = connection.getresponse()
                reply.read()
                ok = reply.status == 200
            except (OSError, http.client.HTTPException, AttributeError):
                ok = False
                connection.close()
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - begin) * 1000)
                else:
                    failures[0] += 1
            time.sleep(think * (0.5 + rng.random()))
        connection.close()

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    return {"flows": len(latencies), "duration_s": duration, "bad": failures[0],
            "flow": {"p50": _bench.percentile(latencies, 0.50), "p99": _bench.percentile(latencies, 0.99),
                     "max": max(latencies, default=float("nan"))}}


def access_log_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8", errors="replace") as log:
        return sum(1 for _line in log)


def server_times(path, skip):
    """p50/p99 of gunicorn's own request time (the access log's last field, "<n>ms": from the
    request read to the response sent) over the lines after the first `skip`. Set beside wrk's
    figures, it tells the time spent serving a request from the time spent waiting for a worker."""
    times = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for number, line in enumerate(log):
            if number >= skip and line.rstrip().endswith("ms") and "/static/" not in line:
                times.append(int(line.rsplit(" ", 1)[1].strip()[:-2]))
    if not times:
        return {"p50": "-", "p99": "-"}
    return {"p50": _bench.percentile(times, 0.50), "p99": _bench.percentile(times, 0.99)}


def lat(name):
    """Which latency summary stands for the scenario: the whole submission is the flow."""
    return "flow" if name in ("submit", "paced", "odoo_submit") else "first"


def run_odoo(options, workdir):
    _bench.banner("Odoo 18.0's own public rating page (rating module), --workers=2, %d clients" % options.clients)
    addons = _bench.ODOO_ADDONS
    _bench.odoo_template(ODOO_TEMPLATE, "project", addons, os.path.join(workdir, "odoo-install.log"))
    _bench.createdb(ODOO_DB, template=ODOO_TEMPLATE)
    count = max(3000, options.duration * 200)
    token_file = os.path.join(workdir, "odoo-tokens.txt")
    filled = _bench.run_odoo_script(
        "odoo_fill.py",
        ["rating", "--db", ODOO_DB, "--addons-path", addons, "--count", str(count), "--out", token_file],
        log_path=os.path.join(workdir, "odoo-fill.log"),
    )
    say("  %d project tasks with a pending rating each (%.0f s)" % (filled["tokens"], filled["seconds"]))
    with open(token_file, encoding="ascii") as handle:
        tokens = handle.read().split()
    spare, tokens = tokens[:20], tokens[20:]
    submit = _bench.split_tokens(tokens, options.clients, os.path.join(workdir, "odoo-submit"))
    log_path = os.path.join(workdir, "odoo-server.log")
    server = _bench.odoo_server(ODOO_DB, addons, ODOO_PORT, ODOO_GEVENT_PORT, 2, log_path)
    try:
        _bench.page_weight(ODOO_PORT, "/rate/%s/5" % spare[0])  # first view builds the asset bundles
        weight = _bench.page_weight(ODOO_PORT, "/rate/%s/5" % spare[1])
        watch = _bench.MemoryWatch(server.pid).start()
        _bench.wrk(ODOO_PORT, "plain", "/web/health", options.clients, 2)  # warm both workers
        figures = {}
        for name, mode, arg in (("healthz", "plain", "/web/health"), ("odoo_submit", "odoo_submit", submit)):
            cpu_before = _bench.cpu_seconds(server.children())
            figures[name] = result = _bench.wrk(ODOO_PORT, mode, arg, options.clients, options.duration)
            result["cpu_ms"] = 1000 * (_bench.cpu_seconds(server.children()) - cpu_before) / max(result["flows"], 1)
            say("  %-11s %8.1f /s  p50 %7.1f ms  p99 %7.1f ms  (failed %d, sockets %s, out of links %d)" % (
                name, result["flows"] / result["duration_s"], result[lat(name)]["p50"], result[lat(name)]["p99"],
                result["bad"], result["socket_errors"], result["ran_out_of_tokens"]))
        watch.stop()
        rated = int(_bench.psql(ODOO_DB, "SELECT count(*) FROM rating_rating WHERE consumed AND rating = 5"))
    finally:
        server.stop()
    _bench.dropdb(ODOO_DB)
    say("  ratings consumed with 5 stars in Odoo after the run: %d" % rated)
    return {"figures": figures, "weight": weight, "worker_rss_peak_mib": watch.max_mib(), "rated": rated}


def rate(result):
    return result["flows"] / result["duration_s"]


def report(services, odoo, clients):
    _bench.banner("Rating path: figures (%d concurrent clients, one connection each)" % clients)
    rows, checks = [], []
    for backend, run in services.items():
        figures = run["figures"]
        base = rate(figures["healthz"])
        for name, label in (("healthz", "GET /healthz"), ("page", "GET /r/<token>"), ("submit", "full submission")):
            result = figures[name]
            rows.append([
                backend, label, "%.1f" % rate(result), "%.1f" % result[lat(name)]["p50"],
                "%.1f" % result[lat(name)]["p99"], "%.1f%%" % (100 * rate(result) / base), "%.1f" % result["cpu_ms"],
                result["server_ms"]["p99"],
            ])
        post = figures["submit"]["second"]
        rows.append([backend, "  (its POST alone)", "", "%.1f" % post["p50"], "%.1f" % post["p99"], "", "", ""])
        paced = figures["paced"]
        rows.append([backend, "  paced, all starting at once", "%.1f" % rate(paced), "%.1f" % paced["flow"]["p50"],
                     "%.1f" % paced["flow"]["p99"], "", "%.1f" % paced["cpu_ms"], paced["server_ms"]["p99"]])
        spread = figures["staggered"]
        rows.append([backend, "  paced, each starting at own moment", "%.1f" % rate(spread),
                     "%.1f" % spread["flow"]["p50"], "%.1f" % spread["flow"]["p99"], "", "%.1f" % spread["cpu_ms"],
                     spread["server_ms"]["p99"]])
        share = rate(figures["submit"]) / base
        checks.append(("%s: submissions/s >= %d%% of /healthz" % (backend, TARGET_SHARE_OF_HEALTHZ * 100),
                       "%.1f%%" % (100 * share), share >= TARGET_SHARE_OF_HEALTHZ))
        for name in ("healthz", "page", "submit"):
            p99 = figures[name][lat(name)]["p99"]
            checks.append(("%s: p99 of %s <= %d ms, clients back to back" % (backend, name, TARGET_P99_MS),
                           "%.1f ms" % p99, p99 <= TARGET_P99_MS))
        p99 = spread["flow"]["p99"]
        checks.append(("%s: p99 of submit <= %d ms, clients at a burst's pace" % (backend, TARGET_P99_MS),
                       "%.1f ms" % p99, p99 <= TARGET_P99_MS and not spread["bad"]))
        checks.append(("%s: worker peak RSS <= %d MiB" % (backend, TARGET_WORKER_RSS_MIB),
                       "%.1f MiB" % run["worker_rss_peak_mib"], run["worker_rss_peak_mib"] <= TARGET_WORKER_RSS_MIB))
        checks.append(("%s: every thank-you page has its rating and outbox row" % backend,
                       "rating/outbox rows %s" % (run["rows"],), run["rows_ok"]))
    if odoo:
        figures = odoo["figures"]
        for name, label in (("healthz", "GET /web/health"), ("odoo_submit", "full submission")):
            result = figures[name]
            rows.append(["Odoo 18", label, "%.1f" % rate(result), "%.1f" % result[lat(name)]["p50"],
                         "%.1f" % result[lat(name)]["p99"],
                         "%.1f%%" % (100 * rate(result) / rate(figures["healthz"])), "%.1f" % result["cpu_ms"], ""])
    _bench.table(rows, ["backend", "scenario", "req/s", "p50 ms", "p99 ms", "of /healthz", "worker CPU ms each",
                        "server p99 ms"])
    say("  (worker CPU ms each: user+system CPU of the server's worker processes per request or per submission;"
        " PostgreSQL's own CPU is not in it. server p99: gunicorn's own time for one request, from its access"
        " log, i.e. without the wait for a free worker)")

    weight = next(iter(services.values()))["weight"]
    say("\nRating page over the wire (HTML + what it references, headers included, gzip accepted):")
    say("  ours: HTML %d B + %s = %d B" % (weight["html"], ", ".join(
        "%s %d B" % (url, size) for url, size, _status in weight["resources"]), weight["total"]))
    checks.append(("page <= 20 KB over the wire", "%.1f KB" % (weight["total"] / 1024),
                   weight["total"] <= TARGET_PAGE_BYTES))
    if odoo:
        owe = odoo["weight"]
        say("  Odoo: HTML %d B + %d resources %d B = %d B" % (
            owe["html"], len(owe["resources"]), owe["total"] - owe["html"], owe["total"]))
        for url, size, status in owe["resources"]:
            say("        %-70s %9d B  (%s)" % (url[:70], size, status))
        if owe["css_urls"]:
            say("        + %d files its CSS may load when used (fonts, images), not counted" % len(owe["css_urls"]))
        odoo_rate = rate(odoo["figures"]["odoo_submit"])
        say("\nOurs as a ratio of Odoo's rating page (full submission, same clients and duration):")
        for backend, run in services.items():
            ratio = rate(run["figures"]["submit"]) / odoo_rate
            say("  %s: %.1f x Odoo's submissions/s" % (backend, ratio))
            checks.append(("%s: submissions/s >= %dx Odoo's" % (backend, TARGET_VS_ODOO_THROUGHPUT),
                           "%.1fx" % ratio, ratio >= TARGET_VS_ODOO_THROUGHPUT))
        bytes_ratio = weight["total"] / owe["total"]
        say("  page weight: 1/%.0f of Odoo's" % (1 / bytes_ratio))
        checks.append(("page bytes <= 1/20 of Odoo's", "1/%.0f" % (1 / bytes_ratio), bytes_ratio <= TARGET_VS_ODOO_BYTES))
        say("  Odoo workers' peak RSS: %.1f MiB" % odoo["worker_rss_peak_mib"])
    say("\nWorker memory: peak RSS per worker (MiB) and PSS at the end:")
    for backend, run in services.items():
        say("  %s: peaks %s; PSS %s" % (backend, ", ".join("%.1f" % v for v in run["worker_rss_peaks_mib"].values()),
                                       ", ".join("%.1f" % v for v in run["worker_pss_end_mib"].values())))
    _bench.print_targets(checks)
    if not odoo:
        say("  ----  Odoo comparison skipped (see the line above)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (default 10)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--backends", default=None,
                        help="comma-separated, of sqlite, postgresql, postgresql+redis (the database, and the "
                             "rate limits in Redis as in docker-compose.yml); default: all three, the last one "
                             "when redis-server is installed")
    parser.add_argument("--no-odoo", action="store_true", help="skip Odoo's rating page")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    _bench.banner("Rating path benchmark: %s" % " ".join(sys.argv))
    _bench.print_machine()
    _bench.check_ports(SERVICE_PORT, ODOO_PORT, ODOO_GEVENT_PORT)
    workdir = tempfile.mkdtemp(prefix="bench_rating_path_")
    say("work folder (logs, links): %s" % workdir)
    have_redis = shutil.which("redis-server") is not None
    backends = options.backends or "sqlite,postgresql" + (",postgresql+redis" if have_redis else "")
    if "redis" in backends:
        if not have_redis:
            sys.exit("postgresql+redis needs redis-server: apt-get install -y redis-server")
        _bench.check_ports(REDIS_PORT)
    elif options.backends is None:
        say("\n!!!!! SKIPPING postgresql+redis: no redis-server (apt-get install redis-server) !!!!!")
    services = {backend: run_service(backend, options, workdir) for backend in backends.split(",")}
    odoo = None
    why_not = "--no-odoo given" if options.no_odoo else _bench.odoo_available()
    if why_not:
        say("\n!!!!! SKIPPING Odoo's rating page: %s !!!!!" % why_not)
    else:
        odoo = run_odoo(options, workdir)
    report(services, odoo, options.clients)
    say("\nload average at the end: %s   finished %s" % (_bench.load(), time.strftime("%Y-%m-%d %H:%M:%S")))


if __name__ == "__main__":
    main()
