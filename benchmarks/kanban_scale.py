"""Benchmark of the support-request kanban at scale, through the ORM, with Odoo's own Python.

    /opt/odoo18/venv/bin/python benchmarks/kanban_scale.py [--runs 7] [--keep] [--reuse]

Fills a database (bench_kanban, copied from a template with the addon installed) with 50,000
support requests spread over the steps of the policy, 150,000 committee votes and 20,000
beneficiary ratings, plus the open "Committee Vote" activities of the requests at the
committee, all consistent with the addon's rules (votes only from members of the request's
committee, decisions after the committee, ratings only on delivered requests; stored computed
fields computed by the ORM). Then, as a committee member and as a manager, it times what the
web client asks for:

  kanban load        web_read_group grouped by stage_id, read_progress_bar, and web_search_read
                     of 40 cards for each unfolded, non-empty column, with the kanban's fields
  Awaiting my vote   the same load with that filter
  Overdue            the same load with that filter
  satisfaction pivot read_group on beneficiary.satisfaction.report, total and by aid type
  contact search     what a contact dropdown and the Contacts list ask of res.partner (name_search
                     of "a", 8 results, then search_count), where the rules that hide
                     beneficiaries' contacts from other roles apply

cold (ORM caches and registry caches cleared first) and warm (median of --runs runs, each with
an empty record cache, as a new HTTP request has), with the number of SQL queries; and the
query count of one column's cards at limit 40 and 80 (it must not grow with the cards shown).
These in-process figures are the calls one after the other: the conservative measure.

Then the kanban load again as the browser sends it: Odoo started with --workers=2 on
127.0.0.1:8491, each user logged in over HTTP, read_progress_bar sent with web_read_group and
then every open column's web_search_read at once (the Odoo 18 web client's Promise.all), through
/web/dataset/call_kw; wall time from the first call to the last reply, median of --http-runs
loads, with the queries and server time of each call from Odoo's request log.

With --reuse, the addon is updated in bench_kanban first when its files changed since the fill.
"""

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import _bench
from _bench import say

TEMPLATE, DB = "bench_addon_tmpl", "bench_kanban"
TARGET_MS = 300
DEFAULT_ORDER_ATTR = "default_order"
# The share of each step among the requests (received ... closed), out of 50.
STEP_SHARES = (("received", 2), ("verified", 2), ("declared", 2), ("research", 4), ("committee", 6),
               ("approved", 3), ("rejected", 5), ("delivered", 16), ("closed", 10))
MEMBERS_PER_COMMITTEE, COMMITTEES = 5, 3
# The Odoo with --workers=2 that serves the same load over HTTP, as the browser asks for it
# (rating_path.py uses 8483/8484/8490, sync.py 8486-8488, the installs 8497/8498).
HTTP_PORT, GEVENT_PORT = 8491, 8492
HTTP_PASSWORD = "bench-kanban-only-password"  # noqa: S105 - a throw-away benchmark database
LOGINS = {"committee member": "bench_member_01", "manager": "bench_manager"}


# -- filling ---------------------------------------------------------------------------------
def fill(env, options, rng):
    from odoo_fill import AUDIT, audit, insert, insert_requests, recompute, reference_data, user  # noqa: PLC0415

    started = time.monotonic()
    ref = reference_data(env, beneficiaries=3000)
    committee_group = "beneficiary_relations.group_beneficiary_committee"
    members = [user(env, "bench_member_%02d" % n, [committee_group]) for n in range(1, COMMITTEES * MEMBERS_PER_COMMITTEE + 1)]
    manager = user(env, "bench_manager", ["beneficiary_relations.group_beneficiary_manager"])
    committees = env["beneficiary.committee"].create([
        {"name": "Research Committee %d" % (c + 1), "quorum": 3, "decision_rule": "majority",
         "member_ids": [(6, 0, [m.id for m in members[c * MEMBERS_PER_COMMITTEE:(c + 1) * MEMBERS_PER_COMMITTEE]])],
         "chair_id": members[c * MEMBERS_PER_COMMITTEE].id}
        for c in range(COMMITTEES)
    ])
    member_ids = {committee.id: committee.member_ids.ids for committee in committees}
    say("  people and reference data: %.0f s" % (time.monotonic() - started))

    total_share = sum(share for _kind, share in STEP_SHARES)
    plan = []
    for kind, share in STEP_SHARES:
        plan += [kind] * (options.requests * share // total_share)
    plan += ["closed"] * (options.requests - len(plan))
    rng.shuffle(plan)
    names = [("KB/%06d" % (n + 1), kind) for n, kind in enumerate(plan)]
    ids = insert_requests(env, ref, names, rng, committees=committees.ids)
    say("  %d requests: %.0f s" % (len(ids), time.monotonic() - started))

    env.cr.execute("SELECT id, committee_id, stage_kind, decision FROM beneficiary_request WHERE committee_id IS NOT NULL "
                   "AND stage_kind IN ('committee', 'approved', 'rejected', 'delivered', 'closed') ORDER BY id")
    at_committee = env.cr.fetchall()
    votes, waiting, fifth_voters = [], [], []

    def ballot(decision):
        lean = {"approved": "approve", "rejected": "reject"}.get(decision)
        return lean if lean and rng.random() < 0.85 else rng.choice(("approve", "reject", "abstain"))

    for request_id, committee_id, _kind, decision in at_committee:
        pool = member_ids[committee_id][:]
        rng.shuffle(pool)
        # decided: four of the five members voted; at the committee: zero to four so far
        cast = pool[:4] if decision else pool[:rng.randint(0, 4)]
        votes += [(request_id, member, ballot(decision), committee_id) for member in cast]
        if decision:
            fifth_voters.append((request_id, pool[4], ballot(decision), committee_id))
        else:
            waiting += [(request_id, member) for member in pool[len(cast):]]
    rng.shuffle(fifth_voters)
    votes += fifth_voters[:max(0, options.votes - len(votes))]  # the fifth member, on some decided requests
    votes = votes[:options.votes]
    company_id = env.company.id
    insert(env.cr, "beneficiary_committee_vote",
           ("request_id", "member_id", "vote", "committee_id", "company_id") + AUDIT,
           [vote + (company_id,) + audit(env) for vote in votes])
    say("  %d votes: %.0f s" % (len(votes), time.monotonic() - started))

    # the open "Committee Vote" activities, as submitting to the committee schedules them
    vote_type = env.ref("beneficiary_relations.mail_activity_request_vote")
    model_id = env["ir.model"]._get_id("beneficiary.request")
    env.cr.execute("SELECT id, decision_deadline FROM beneficiary_request WHERE stage_kind = 'committee'")
    deadline = dict(env.cr.fetchall())
    insert(env.cr, "mail_activity",
           ("res_model_id", "res_model", "res_id", "activity_type_id", "user_id", "date_deadline", "summary",
            "automated", "active") + AUDIT,
           [(model_id, "beneficiary.request", request_id, vote_type.id, member, deadline[request_id],
             vote_type.summary or "Vote", True, True) + audit(env) for request_id, member in waiting])
    say("  %d open vote activities: %.0f s" % (len(waiting), time.monotonic() - started))

    env.cr.execute("SELECT id FROM beneficiary_request WHERE feedback_link_sent ORDER BY id")
    delivered = [row[0] for row in env.cr.fetchall()]
    rated = rng.sample(delivered, min(options.feedback, len(delivered)))
    rows = []
    for n, request_id in enumerate(rated):
        score = rng.choices((5, 4, 3, 2, 1), (50, 25, 10, 8, 7))[0]
        rows.append((request_id, score, rng.randint(3, 5), rng.randint(2, 5), rng.randint(3, 5), rng.randint(1, 5),
                     score, rng.choice(("", "", "Thank you.")), "2026-01-01 10:00:00", "%064x" % (n + 1))
                    + audit(env))
    feedback_ids = insert(env.cr, "beneficiary_feedback",
                          ("request_id", "rating", "answer_respect", "answer_time", "answer_clarity",
                           "answer_promptness", "answer_overall", "comment", "submitted_at", "token_ref") + AUDIT, rows)
    from odoo_fill import FEEDBACK_COMPUTED  # noqa: PLC0415

    recompute(env, "beneficiary.feedback", feedback_ids, FEEDBACK_COMPUTED)
    recompute(env, "beneficiary.request", sorted(rated), ("feedback_rating",))
    say("  %d ratings: %.0f s" % (len(feedback_ids), time.monotonic() - started))
    env.cr.commit()
    # what autovacuum does in a living database: statistics, and GIN pending lists merged
    _bench.psql(env.cr.dbname, "VACUUM ANALYZE")
    return {"member": members[0].id, "manager": manager.id, "seconds": time.monotonic() - started}


# -- what the web client asks ----------------------------------------------------------------
def kanban_spec(Request):
    """Fields spec and order of the kanban, read from its arch as the user gets it."""
    view = Request.get_views([(False, "kanban")])["views"]["kanban"]
    arch = ElementTree.fromstring(view["arch"])
    fields = Request.fields_get(attributes=["type", "aggregator"])
    spec = {}
    for node in arch.iter("field"):
        name = node.get("name")
        kind = fields[name]["type"]
        # as the web client's getFieldsSpec: no display name for an always invisible many2one
        invisible = node.get("invisible") in ("1", "True")
        spec[name] = ({"fields": {}} if invisible else {"fields": {"display_name": {}}}) if kind == "many2one" else {}
        if node.get("widget") == "kanban_activity":
            spec.update({"activity_exception_decoration": {}, "activity_exception_icon": {}, "activity_state": {},
                         "activity_summary": {}, "activity_type_icon": {},
                         "activity_type_id": {"fields": {"display_name": {}}}})
    kanban = arch if arch.tag == "kanban" else arch.find(".//kanban")
    progress = kanban.find("progressbar")
    aggregates = ["%s:%s" % (name, fields[name]["aggregator"]) for name in spec
                  if fields.get(name, {}).get("aggregator")]
    return {
        "spec": spec,
        "order": kanban.get(DEFAULT_ORDER_ATTR),
        "aggregates": aggregates,
        "progress": {"field": progress.get("field"), "colors": {"done": "success", "blocked": "danger", "normal": "200"}},
    }


# What the web client adds to each column's web_search_read (relational_model.js
# _loadUngroupedList): its default count limit (10,000) plus one, and bin_size in the context.
COUNT_LIMIT = 10001


def column_read(Request, view, group, limit=40):
    """The web_search_read of one kanban column, with the web client's arguments."""
    return Request.with_context(bin_size=True).web_search_read(
        group["__domain"], view["spec"], limit=limit, order=view["order"], count_limit=COUNT_LIMIT)


def open_columns(groups):
    """The columns the web client fills: unfolded and not empty (at most 10 opened)."""
    return [group for group in groups if not group.get("__fold") and group["stage_id_count"]][:10]


def kanban_load(Request, view, domain, limit=40):
    groups = Request.web_read_group(domain, view["aggregates"], ["stage_id"], lazy=True)["groups"]
    Request.read_progress_bar(domain, "stage_id", view["progress"])
    cards = 0
    for group in open_columns(groups):
        cards += len(column_read(Request, view, group, limit)["records"])
    return cards


def pivot(env):
    Report = env["beneficiary.satisfaction.report"]
    measures = ["link_count:sum", "rated_count:sum", "rating:avg", "csat:avg", "response_rate:avg", "__count"]
    total = Report.read_group([], measures, [], lazy=False)
    Report.read_group([], measures, ["aid_type_id"], lazy=False)
    return total[0]["__count"]


def contact_search(env):
    Partner = env["res.partner"]
    Partner.name_search("a", limit=8)
    return Partner.search_count([])


def measure(env, fn, runs):
    """Cold run (every cache cleared) then `runs` warm runs: (cold ms, cold queries, warm ms list, queries)."""
    cr = env.cr
    env.registry.clear_all_caches()
    env.invalidate_all()
    count, started = cr.sql_log_count, time.perf_counter()
    result = fn()
    cold = ((time.perf_counter() - started) * 1000, cr.sql_log_count - count)
    warm, queries = [], set()
    for _ in range(runs):
        env.invalidate_all()
        count, started = cr.sql_log_count, time.perf_counter()
        fn()
        warm.append((time.perf_counter() - started) * 1000)
        queries.add(cr.sql_log_count - count)
    return {"cold_ms": cold[0], "cold_queries": cold[1], "warm_ms": _bench.median(warm), "warm_queries": sorted(queries),
            "result": result}


def time_role(env, runs):
    """The four operations and the 40/80-card comparison for the user of `env`."""
    from odoo.exceptions import AccessError  # noqa: PLC0415

    Request = env["beneficiary.request"]
    view = kanban_spec(Request)
    operations = (
        ("kanban load", lambda: kanban_load(Request, view, [])),
        ("Awaiting my vote", lambda: kanban_load(Request, view, [("awaiting_my_vote", "=", True)])),
        ("Overdue", lambda: kanban_load(Request, view, [("is_overdue", "=", True)])),
        ("satisfaction pivot", lambda: pivot(env)),
        ("contact search", lambda: contact_search(env)),
    )
    rows = []
    for label, fn in operations:
        try:
            rows.append((label, measure(env, fn, runs)))
        except AccessError:
            rows.append((label, None))
    # the biggest open column, at 40 and 80 cards
    groups = Request.web_read_group([], [], ["stage_id"], lazy=True)["groups"]
    biggest = max((g for g in groups if not g.get("__fold")), key=lambda g: g["stage_id_count"])

    def cards(limit):
        return len(column_read(Request, view, biggest, limit)["records"])

    scaling = [(biggest["stage_id"][1], limit, measure(env, lambda limit=limit: cards(limit), runs)) for limit in (40, 80)]
    return rows, scaling


def time_everything(env_of, runs):
    """env_of(role) gives the environment of the member or of the manager."""
    rows, scaling = [], []
    for role in ("committee member", "manager"):
        role_rows, role_scaling = time_role(env_of(role), runs)
        rows += [(role, label, figures) for label, figures in role_rows]
        scaling += [(role, column, limit, figures) for column, limit, figures in role_scaling]
    return rows, scaling


def kanban_order_plan(env):
    """Whether the kanban's indexes exist, and the plan of the biggest column's first cards."""
    present = {}
    for name in ("beneficiary_request_kanban_order_index", "beneficiary_request_board_index"):
        env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        present[name] = bool(env.cr.fetchone())
    env.cr.execute(
        "EXPLAIN SELECT id FROM beneficiary_request WHERE stage_id = (SELECT id FROM beneficiary_request_stage"
        " WHERE kind = 'delivered' LIMIT 1) ORDER BY priority DESC, decision_deadline, submitted_date DESC,"
        " id DESC LIMIT 40")
    return present, [row[0] for row in env.cr.fetchall()]


def report(rows, scaling, visible):
    _bench.banner("Kanban at scale: figures (ms; queries in brackets)")
    table, checks = [], []
    for role, label, figures in rows:
        if figures is None:
            table.append([role, label, "no access (by design)", "", "", ""])
            continue
        table.append([role, label, "%.0f [%d]" % (figures["cold_ms"], figures["cold_queries"]),
                      "%.0f %s" % (figures["warm_ms"], figures["warm_queries"]), figures["result"],
                      _bench.verdict(figures["warm_ms"] < TARGET_MS)])
        checks.append(("%s, %s: warm median < %d ms" % (role, label, TARGET_MS), "%.0f ms" % figures["warm_ms"],
                       figures["warm_ms"] < TARGET_MS))
        checks.append(("%s, %s: cold < %d ms" % (role, label, TARGET_MS), "%.0f ms" % figures["cold_ms"],
                       figures["cold_ms"] < TARGET_MS))
    _bench.table(table, ["user", "operation", "cold ms [queries]", "warm median ms [queries]", "cards/rows", "warm"])
    say("\nvisible requests: %s" % visible)
    say("\nCards of the biggest open column at limit 40 and 80 (warm):")
    by_role = {}
    for role, column, limit, figures in scaling:
        say("  %-16s %-20s limit %d: %3d cards, %5.0f ms, queries %s" % (
            role, column, limit, figures["result"], figures["warm_ms"], figures["warm_queries"]))
        by_role.setdefault(role, []).append(figures["warm_queries"][-1])
    for role, counts in by_role.items():
        checks.append(("%s: queries at 80 cards == at 40 cards" % role, "%d vs %d" % (counts[1], counts[0]),
                       counts[1] == counts[0]))
    return checks


def addon_up_to_date(db, log_path):
    """On a reused database, update the addon (-u) when its files changed since the database was
    filled or last updated (the digest kept in the database's comment), so that the figures are
    those of the code in the working tree."""
    digest = _bench.tree_digest(os.path.join(_bench.ADDONS, "beneficiary_relations"))
    comment = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '%s'" % db
    if _bench.psql("postgres", comment) == digest:
        return
    say("  the addon changed since %s was filled: updating it (-u beneficiary_relations)..." % db)
    argv = [_bench.ODOO_BIN, *_bench.odoo_db_args(_bench.ODOO_ADDONS + "," + _bench.ADDONS), "-d", db,
            "-u", "beneficiary_relations", "--stop-after-init", "--http-port=%d" % HTTP_PORT,
            "--gevent-port=%d" % GEVENT_PORT, "--log-level=warn"]
    with open(log_path, "ab") as log:
        subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=3600)  # noqa: S603
    _bench.psql(db, "ANALYZE beneficiary_request")
    _bench.psql("postgres", "COMMENT ON DATABASE %s IS '%s'" % (db, digest))


# -- the same load over HTTP, the columns side by side ------------------------------------------
class JsonRpc:
    """A user's session on the Odoo under test, calling models as the web client does."""

    def __init__(self, port, db, login, password):
        self.port, self.cookie = port, ""
        reply, headers = self._post("/web/session/authenticate", {"db": db, "login": login, "password": password})
        self.cookie = re.search(r"session_id=[^;]+", headers.get("set-cookie", "")).group(0)
        self.context = {**reply["user_context"], "allowed_company_ids": [reply["user_companies"]["current_company"]]}

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json", "Cookie": self.cookie})
            response = connection.getresponse()
            reply = json.loads(response.read())
            headers = {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()
        if "error" in reply:
            raise RuntimeError("%s: %s" % (path, reply["error"].get("data", {}).get("message") or reply["error"]))
        return reply["result"], headers

    def call(self, method, **kwargs):
        kwargs["context"] = {**self.context, **kwargs.get("context", {})}
        params = {"model": "beneficiary.request", "method": method, "args": [], "kwargs": kwargs}
        return self._post("/web/dataset/call_kw/beneficiary.request/%s" % method, params)[0]


def http_kanban_load(rpc, view, pool, limit=40):
    """The board as the Odoo 18 web client loads it: read_progress_bar sent with web_read_group
    (progress_bar_hook.js), then every open column's web_search_read at once (Promise.all in
    relational_model.js); wall ms from the first call to the last reply, and the cards."""
    started = time.perf_counter()
    progress = pool.submit(rpc.call, "read_progress_bar", domain=[], group_by="stage_id", progress_bar=view["progress"])
    groups = rpc.call("web_read_group", domain=[], fields=view["aggregates"], groupby=["stage_id"], lazy=True)["groups"]
    columns = [
        pool.submit(rpc.call, "web_search_read", domain=group["__domain"], specification=view["spec"], offset=0,
                    limit=limit, order=view["order"], count_limit=COUNT_LIMIT, context={"bin_size": True})
        for group in open_columns(groups)
    ]
    cards = sum(len(column.result()["records"]) for column in columns)
    progress.result()
    return (time.perf_counter() - started) * 1000, cards


def server_calls(log_path, offset):
    """{method: [(queries, server ms)]} from the werkzeug lines Odoo logged after `offset`."""
    calls = {}
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            found = re.search(r'call_kw/beneficiary\.request/(\w+) HTTP/[\d.]+" 200 - (\d+) ([\d.]+) ([\d.]+)', line)
            if found:
                method, queries, sql_s, other_s = found.groups()
                calls.setdefault(method, []).append((int(queries), (float(sql_s) + float(other_s)) * 1000))
    return calls


def time_http(env, addons, runs, workdir):
    """Each role's board over HTTP from an Odoo with 2 workers: warm median wall ms of `runs` loads."""
    for login in LOGINS.values():
        env["res.users"].search([("login", "=", login)]).password = HTTP_PASSWORD
    env.cr.commit()
    log_path = os.path.join(workdir, "odoo-http.log")
    server = _bench.odoo_server(DB, addons, HTTP_PORT, GEVENT_PORT, 2, log_path)
    results = {}
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            for role, login in LOGINS.items():
                rpc = JsonRpc(HTTP_PORT, DB, login, HTTP_PASSWORD)
                view = kanban_spec(env(user=env["res.users"].search([("login", "=", login)]).id, su=False)["beneficiary.request"])
                for _ in range(3):  # each worker loads its registry and caches on its first calls
                    http_kanban_load(rpc, view, pool)
                offset = os.path.getsize(log_path)
                walls = [http_kanban_load(rpc, view, pool) for _ in range(runs)]
                time.sleep(0.5)  # the last log lines
                results[role] = {"walls": [wall for wall, _cards in walls], "cards": walls[0][1],
                                 "calls": server_calls(log_path, offset)}
    finally:
        server.stop()
    return results


def report_http(results, runs):
    _bench.banner("Kanban load over HTTP as the web client sends it (2 workers; columns side by side)")
    table, checks = [], []
    for role, figures in results.items():
        walls = figures["walls"]
        median = _bench.median(walls)
        per_call = []
        for method in ("web_read_group", "read_progress_bar", "web_search_read"):
            calls = figures["calls"].get(method, [])
            if calls:
                per_call.append("%s %d x, queries %s, server ms median %.0f" % (
                    method, len(calls) // runs, sorted({queries for queries, _ms in calls}),
                    _bench.median([ms for _queries, ms in calls])))
        table.append([role, "%.0f" % median, "%.0f-%.0f" % (min(walls), max(walls)), figures["cards"],
                      _bench.verdict(median < TARGET_MS)])
        checks.append(("%s, kanban load over HTTP (columns side by side): median < %d ms" % (role, TARGET_MS),
                       "%.0f ms" % median, median < TARGET_MS))
        for line in per_call:
            say("  %-16s %s" % (role, line))
    _bench.table(table, ["user", "wall median ms", "min-max ms", "cards", "result"])
    say("(%d runs each after 3 warm-up loads; wall time from the first call to the last reply)" % runs)
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50000)
    parser.add_argument("--votes", type=int, default=150000)
    parser.add_argument("--feedback", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7, help="warm runs per operation (median)")
    parser.add_argument("--reuse", action="store_true", help="time an existing bench_kanban without refilling it")
    parser.add_argument("--keep", action="store_true", help="keep bench_kanban at the end (default: dropped)")
    parser.add_argument("--http-runs", type=int, default=9, help="loads over HTTP per user (median); 0 to skip")
    options = parser.parse_args()
    _bench.banner("Kanban at scale: %s" % " ".join(sys.argv))
    _bench.print_machine()
    why_not = _bench.odoo_available()
    if why_not:
        say("\n!!!!! SKIPPING the kanban benchmark: %s !!!!!" % why_not)
        return
    workdir = tempfile.mkdtemp(prefix="bench_kanban_")
    addons = _bench.ODOO_ADDONS + "," + _bench.ADDONS
    from _odoo import odoo_env  # noqa: PLC0415 (imports odoo)

    if not (options.reuse and _bench.db_exists(DB)):
        _bench.addon_template(TEMPLATE, os.path.join(workdir, "odoo-install.log"))
        _bench.createdb(DB, template=TEMPLATE)
        say("filling %s: %d requests, %d votes, %d ratings..." % (DB, options.requests, options.votes, options.feedback))
        with odoo_env(DB, addons) as env:
            fill(env, options, random.Random(2026))
        digest = _bench.tree_digest(os.path.join(_bench.ADDONS, "beneficiary_relations"))
        _bench.psql("postgres", "COMMENT ON DATABASE %s IS '%s'" % (DB, digest))
    else:
        addon_up_to_date(DB, os.path.join(workdir, "odoo-update.log"))
    with odoo_env(DB, addons) as env:
        member = env["res.users"].search([("login", "=", "bench_member_01")])
        manager = env["res.users"].search([("login", "=", "bench_manager")])
        env.cr.execute("SELECT (SELECT count(*) FROM beneficiary_request), (SELECT count(*) FROM beneficiary_committee_vote),"
                       " (SELECT count(*) FROM beneficiary_feedback), (SELECT count(*) FROM beneficiary_request WHERE is_overdue)")
        counts = env.cr.fetchone()
        say("in %s: %d requests, %d votes, %d ratings, %d overdue; load %s" % ((DB,) + counts + (_bench.load(),)))
        context = {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [env.company.id]}

        def env_of(role):
            uid = member.id if role == "committee member" else manager.id
            return env(user=uid, context=context, su=False)

        visible = {role: env_of(role)["beneficiary.request"].search_count([]) for role in ("committee member", "manager")}
        rows, scaling = time_everything(env_of, options.runs)
        index_present, plan = kanban_order_plan(env)
        env.cr.rollback()
    checks = report(rows, scaling, visible)
    if options.http_runs:
        _bench.check_ports(HTTP_PORT, GEVENT_PORT)
        say("\nthe same kanban load over HTTP: starting Odoo with --workers=2 on 127.0.0.1:%d..." % HTTP_PORT)
        with odoo_env(DB, addons) as env:
            http_results = time_http(env, addons, options.http_runs, workdir)
        checks += report_http(http_results, options.http_runs)
    _bench.print_targets(checks)
    _bench.banner("The kanban's indexes, and the plan of the Delivered column's first 40 cards")
    for name, present in index_present.items():
        say("  %s present: %s" % (name, present))
    for line in plan:
        say("  " + line)
    if not options.keep:
        _bench.dropdb(DB)
        say("dropped %s" % DB)
    say("\nload average at the end: %s   finished %s" % (_bench.load(), time.strftime("%Y-%m-%d %H:%M:%S")))


if __name__ == "__main__":
    main()
