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

cold (ORM caches and registry caches cleared first) and warm (median of --runs runs, each with
an empty record cache, as a new HTTP request has), with the number of SQL queries; and the
query count of one column's cards at limit 40 and 80 (it must not grow with the cards shown).
"""

import argparse
import os
import random
import sys
import tempfile
import time
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
        spec[name] = {"fields": {"display_name": {}}} if kind == "many2one" else {}
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


def kanban_load(Request, view, domain, limit=40):
    groups = Request.web_read_group(domain, view["aggregates"], ["stage_id"], lazy=True)["groups"]
    Request.read_progress_bar(domain, "stage_id", view["progress"])
    opened = [group for group in groups if not group.get("__fold") and group["stage_id_count"]][:10]
    cards = 0
    for group in opened:
        result = Request.web_search_read(group["__domain"], view["spec"], limit=limit, order=view["order"])
        cards += len(result["records"])
    return cards


def pivot(env):
    Report = env["beneficiary.satisfaction.report"]
    measures = ["link_count:sum", "rated_count:sum", "rating:avg", "csat:avg", "response_rate:avg", "__count"]
    total = Report.read_group([], measures, [], lazy=False)
    Report.read_group([], measures, ["aid_type_id"], lazy=False)
    return total[0]["__count"]


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
        return len(Request.web_search_read(biggest["__domain"], view["spec"], limit=limit, order=view["order"])["records"])

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
    """Whether the kanban-order index exists, and the plan of the biggest column's first cards."""
    env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'beneficiary_request_kanban_order_index'")
    present = bool(env.cr.fetchone())
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
    _bench.print_targets(checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50000)
    parser.add_argument("--votes", type=int, default=150000)
    parser.add_argument("--feedback", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7, help="warm runs per operation (median)")
    parser.add_argument("--reuse", action="store_true", help="time an existing bench_kanban without refilling it")
    parser.add_argument("--keep", action="store_true", help="keep bench_kanban at the end (default: dropped)")
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
    report(rows, scaling, visible)
    _bench.banner("The kanban's order: index and plan of the Delivered column's first 40 cards")
    say("  beneficiary_request_kanban_order_index present: %s" % index_present)
    for line in plan:
        say("  " + line)
    if not options.keep:
        _bench.dropdb(DB)
        say("dropped %s" % DB)
    say("\nload average at the end: %s   finished %s" % (_bench.load(), time.strftime("%Y-%m-%d %H:%M:%S")))


if __name__ == "__main__":
    main()
