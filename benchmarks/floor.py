"""How far a rating submission's throughput can go against /healthz on this machine's stack.

    .venv/bin/python benchmarks/floor.py [--duration 8] [--clients 32] [--rounds 2]

Issue 6 asks for full submissions at 25% or more of /healthz's throughput in the same run.
This script measures what the libraries alone allow: the stripped-down apps of floor_app.py
(Flask and SQLAlchemy, then Flask-WTF's CSRF, then Flask-Limiter's two limits; no signed link,
no translation, no template, no header, no check) and then the feedback service itself, each
under gunicorn with services/feedback/gunicorn.conf.py as the service runs, on SQLite, driven
by the same wrk client as rating_path.py (32 clients back to back, GET /healthz, then full
submissions: the page, its CSRF field and cookie, the POST that writes the rating and the
outbox row). The levels take turns for `--rounds` rounds so that the machine's drift falls
on all of them; the median of the rounds is printed.

Loopback only (port 8491), a SQLite file in a temporary folder per run, every server stopped.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

import _bench
import floor_app
from _bench import SECRET, say
from rating_path import gunicorn, measured, mint, rate, upgrade_schema

PORT = 8491
LEVELS = (*floor_app.LEVELS, "service")
LABELS = {
    "flask": "Flask + SQLAlchemy: page, POST, two rows in one durable commit",
    "csrf": "  + Flask-WTF: CSRF token in the signed session, form validated",
    "limits": "  + Flask-Limiter: two limits on both pages",
    "service": "the feedback service (signed link, translations, checks, headers)",
}


def start(level, workdir, number):
    """gunicorn as gunicorn.conf.py configures the service, serving `level`; its env and Server."""
    database = os.path.join(workdir, "%s-%d.sqlite3" % (level, number))
    env = {
        **os.environ,
        "FEEDBACK_BIND": "127.0.0.1:%d" % PORT,
        "FEEDBACK_ACCESS_LOG": os.path.join(workdir, "access-%s-%d.log" % (level, number)),
        "FEEDBACK_LOG_LEVEL": "warning",
    }
    if level == "service":
        env.update(FEEDBACK_SECRET=SECRET, FEEDBACK_DATABASE_URL="sqlite:///" + database,
                   FEEDBACK_PUBLIC_URL="http://127.0.0.1:%d" % PORT,
                   FEEDBACK_RATELIMIT_PER_CLIENT="1000000 per minute")
        upgrade_schema(env)
        app = "feedback:create_app()"
    else:
        env.update(FLOOR_SECRET=SECRET, FLOOR_DATABASE=database)
        floor_app.metadata.create_all(floor_app.make_engine(database))
        app = "floor_app:create_app(%r)" % level
    server = gunicorn(app, env, PORT, os.path.join(workdir, "gunicorn-%s.log" % level), pythonpath=_bench.BENCH)
    return env, server


def run_level(level, options, workdir, number):
    env, server = start(level, workdir, number)
    try:
        prefix = os.path.join(workdir, "%s-%d" % (level, number))
        count = max(3000, options.duration * 3000)
        warm = _bench.split_tokens(mint("W%d%s" % (number, level[:2]), 1500), options.clients, prefix + "-warm")
        links = _bench.split_tokens(mint("S%d%s" % (number, level[:2]), count), options.clients, prefix + "-submit")
        _bench.wrk(PORT, "submit", warm, options.clients, 2)  # every worker has served both pages
        log = env["FEEDBACK_ACCESS_LOG"]
        healthz = measured(server, log, lambda: _bench.wrk(PORT, "plain", "/healthz", options.clients, options.duration))
        submit = measured(server, log, lambda: _bench.wrk(PORT, "submit", links, options.clients, options.duration))
    finally:
        server.stop()
    if healthz["bad"] or submit["bad"] or submit["ran_out_of_tokens"]:
        sys.exit("%s: failed requests (healthz %d, submit %d, out of links %d); see %s" % (
            level, healthz["bad"], submit["bad"], submit["ran_out_of_tokens"], workdir))
    figures = {
        "healthz": rate(healthz), "submit": rate(submit), "share": rate(submit) / rate(healthz),
        "healthz_cpu": healthz["cpu_ms"], "submit_cpu": submit["cpu_ms"], "p99": submit["flow"]["p99"],
    }
    say("  round %d %-8s /healthz %7.1f/s (%.2f ms CPU)  submissions %6.1f/s (%.2f ms CPU)  %5.1f%%  p99 %6.1f ms"
        % (number, level, figures["healthz"], figures["healthz_cpu"], figures["submit"], figures["submit_cpu"],
           100 * figures["share"], figures["p99"]))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per scenario (default 8)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--levels", default=",".join(LEVELS), help="comma-separated, of %s" % ", ".join(LEVELS))
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    levels = options.levels.split(",")
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        sys.exit("unknown level(s) %s; pick from %s" % (", ".join(unknown), ", ".join(LEVELS)))
    _bench.banner("Submission floor: %s" % " ".join(sys.argv))
    _bench.print_machine()
    _bench.check_ports(PORT)
    workdir = tempfile.mkdtemp(prefix="bench_floor_")
    say("work folder (logs, databases): %s" % workdir)
    runs = {level: [] for level in levels}
    for number in range(1, options.rounds + 1):
        for level in levels:
            runs[level].append(run_level(level, options, workdir, number))
    _bench.banner("Median of %d rounds, %d clients back to back, SQLite" % (options.rounds, options.clients))
    rows = []
    for level in levels:
        med = {key: statistics.median(run[key] for run in runs[level]) for key in runs[level][0]}
        rows.append([LABELS[level], "%.0f" % med["healthz"], "%.2f" % med["healthz_cpu"], "%.0f" % med["submit"],
                     "%.2f" % med["submit_cpu"], "%.1f%%" % (100 * med["share"]), "%.0f" % med["p99"]])
    _bench.table(rows, ["app", "/healthz /s", "CPU ms", "submissions /s", "CPU ms", "of /healthz", "p99 ms"])
    say("  (CPU ms: user+system CPU of the gunicorn workers per request or per submission)")
    say("\nload average at the end: %s   finished %s" % (_bench.load(), time.strftime("%Y-%m-%d %H:%M:%S")))


if __name__ == "__main__":
    main()
