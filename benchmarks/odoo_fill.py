"""Bulk data for the Odoo benchmarks, run with Odoo's own Python (the other scripts call it).

    python odoo_fill.py rating --db D --addons-path P --count N --out tokens.txt
        project tasks with a pending customer rating each, for Odoo's public rating page;
        writes the ratings' access tokens
    python odoo_fill.py sync --db D --addons-path P --names names.txt --login L --secret S [--size 1000]
        one delivered support request per reference in names.txt (feedback link sent) and `size`
        more named PROBE-000000..., the feedback service's user (login L; its new API key is
        printed) and the shared secret S
    python odoo_fill.py probe --db D --addons-path P --login L --secret S [--size 1000]
        on a database made by `sync`: import_feedback in-process on the PROBE requests, all rated
        4-5, then with 15% rated 1-2 (each schedules a follow-up); each run rolled back; and the
        lookup of 200 requests by reference

Large tables are written with multi-row INSERTs; every stored computed field of the rows is then
recomputed by the ORM (in batches), so the data is what the addon itself would have stored.
Each script prints its figures on a last line "BENCH_JSON {...}".
"""

import argparse
import datetime
import random
import time

from _odoo import emit, odoo_env

ADDON = "beneficiary_relations"
BATCH = 5000
REQUEST_COMPUTED = ("decision_deadline", "is_overdue", "decision_days", "decided_on_time", "on_time_rate",
                    "feedback_rating")
FEEDBACK_COMPUTED = ("beneficiary_id", "aid_type_id", "channel_id", "officer_id", "company_id", "rating_label",
                     "is_satisfied", "satisfied_percent")
VOTE_COMPUTED = ("committee_id", "company_id")


# -- writing many rows ------------------------------------------------------------------------------
def insert(cr, table, columns, rows, page=2000):
    """INSERT rows (tuples in the order of `columns`) in pages; return the new ids in order."""
    ids = []
    template = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), page):
        chunk = rows[start:start + page]
        values = ", ".join([template] * len(chunk))
        cr.execute(
            "INSERT INTO %s (%s) VALUES %s RETURNING id" % (table, ", ".join(columns), values),
            [value for row in chunk for value in row],
        )
        ids.extend(row[0] for row in cr.fetchall())
    return ids


def recompute(env, model, ids, fnames):
    """Have the ORM compute and store `fnames` of `model` records `ids`, BATCH records at a time."""
    Model = env[model]
    for start in range(0, len(ids), BATCH):
        records = Model.browse(ids[start:start + BATCH])
        for fname in fnames:
            env.add_to_compute(Model._fields[fname], records)
        env.flush_all()
        env.invalidate_all()


def audit(env):
    """create/write user and date columns for raw INSERTs."""
    now = datetime.datetime.now().replace(microsecond=0)
    return (env.uid, now, env.uid, now)


AUDIT = ("create_uid", "create_date", "write_uid", "write_date")


# -- people and reference data ---------------------------------------------------------------------
def user(env, login, groups, name=None):
    Users = env["res.users"].with_context(no_reset_password=True)
    existing = Users.search([("login", "=", login)])
    if existing:
        return existing
    return Users.create({
        "name": name or login.replace("_", " ").title(),
        "login": login,
        "email": "%s@example.org" % login,
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in groups])],
    })


def reference_data(env, beneficiaries, aid_types=4):
    """Aid types, an officer, a researcher, `beneficiaries` beneficiaries (valid ID numbers)."""
    from odoo.addons.beneficiary_relations.policy import saudi_id  # noqa: PLC0415 (Odoo's Python only)

    types = env["beneficiary.aid.type"].create(
        [{"name": name} for name in ("Rent support", "Food basket", "Medical devices", "School fees")[:aid_types]]
    )
    officer = user(env, "bench_officer", ["%s.group_beneficiary_officer" % ADDON])
    researcher = user(env, "bench_researcher", ["%s.group_beneficiary_researcher" % ADDON])
    people = env["beneficiary.beneficiary"]
    for start in range(0, beneficiaries, 500):
        people |= people.create([
            {"name": "Beneficiary %05d" % n, "identity_number": saudi_id.complete("1%08d" % (40000000 + n))}
            for n in range(start, min(start + 500, beneficiaries))
        ])
        env.invalidate_all()
    return {
        "company": env.company,
        "types": types.ids,
        "channels": env["beneficiary.channel"].search([]).ids,
        "officer": officer,
        "researcher": researcher,
        "beneficiaries": people.ids,
        "stages": {stage.kind: stage.id for stage in env["beneficiary.request.stage"].search([])},
    }


REQUEST_COLUMNS = (
    "name", "company_id", "beneficiary_id", "channel_id", "aid_type_id", "officer_id", "researcher_id",
    "committee_id", "stage_id", "stage_kind", "priority", "kanban_state", "color", "submitted_date",
    "declaration_text", "declaration_date", "declaration_officer_id", "research_recommendation", "research_date",
    "committee_submitted_date", "answer_days", "decision", "decision_date", "decision_reason", "delivery_date",
    "delivered_description", "feedback_link_sent", "feedback_link_expiry", "requested_amount",
) + AUDIT
ORDER = ("received", "verified", "declared", "research", "committee", "approved", "rejected", "delivered", "closed")


def request_row(ref, name, kind, rng, today, committee_id=None):
    """The stored columns of a request that reached step `kind`, dates in the order the steps happen."""
    past = ORDER.index(kind)
    submitted = today - datetime.timedelta(days=rng.randint(10, 400) if past > 4 else rng.randint(0, 60))
    declared = past >= 2
    researched = past >= 4
    at_committee = past >= 4
    committee_date = answer_days = None
    if at_committee:
        committee_date = (today - datetime.timedelta(days=rng.randint(0, 45)) if kind == "committee"
                          else submitted + datetime.timedelta(days=rng.randint(5, 20)))
        answer_days = 14
    decision = {"approved": "approved", "rejected": "rejected", "delivered": "approved", "closed": "approved"}.get(kind)
    decision_date = committee_date + datetime.timedelta(days=rng.randint(3, 25)) if decision else None
    delivered = kind in ("delivered", "closed")
    delivery_date = decision_date + datetime.timedelta(days=rng.randint(1, 10)) if delivered else None
    officer, researcher = ref["officer"].id, ref["researcher"].id
    return (
        name, ref["company"].id, rng.choice(ref["beneficiaries"]), rng.choice(ref["channels"]),
        rng.choice(ref["types"]), officer, researcher if past >= 3 else None,
        committee_id if past >= 3 else None, ref["stages"][kind], kind, rng.choice("0000001112"),
        "normal", 0, submitted,
        "I confirm that the data is correct.", submitted if declared else None, officer if declared else None,
        ("approve" if decision != "rejected" else "reject") if researched else None,
        committee_date if researched else None,
        committee_date, answer_days, decision, decision_date,
        "Decided by the committee's vote." if decision else None, delivery_date,
        "Six months of rent paid to the landlord." if delivered else None,
        delivered, (datetime.datetime.combine(delivery_date, datetime.time(9)) + datetime.timedelta(days=30))
        if delivered else None,
        rng.choice((1500, 2400, 3000, 5000)),
    ) + ref["audit"]


def insert_requests(env, ref, plan, rng, committees=None):
    """`plan` is a list of (name, kind); returns the new ids, in the same order."""
    today = datetime.date.today()
    ref["audit"] = audit(env)
    rows = [request_row(ref, name, kind, rng, today, committees and rng.choice(committees)) for name, kind in plan]
    ids = insert(env.cr, "beneficiary_request", REQUEST_COLUMNS, rows)
    recompute(env, "beneficiary.request", ids, REQUEST_COMPUTED)
    return ids


# -- the feedback service's side -----------------------------------------------------------------
def feedback_service_user(env, login):
    """The technical user of the feedback service and a new API key of it: (user, key)."""
    service = user(env, login, ["base.group_user", "%s.group_feedback_service" % ADDON])
    key = env["res.users.apikeys"].with_user(service).sudo()._generate(None, "benchmark", None)
    return service, key


def set_secret(env, secret):
    env["ir.config_parameter"].set_param("%s.feedback_secret" % ADDON, secret)


# -- commands --------------------------------------------------------------------------------------
def fill_rating(env, options):
    env = env(context=dict(env.context, mail_create_nolog=True))
    customer = env["res.partner"].create({"name": "Benchmark Customer", "email": "customer@example.org"})
    project = env["project.project"].create({"name": "Benchmark: rated tasks", "partner_id": customer.id})
    model_id = env["ir.model"]._get_id("project.task")
    tokens = []
    for start in range(0, options.count, 1000):
        size = min(1000, options.count - start)
        tasks = env["project.task"].create(
            [{"name": "Task %d" % (start + n), "project_id": project.id, "partner_id": customer.id}
             for n in range(size)]
        )
        # What project's "rate us" e-mail creates for each task: a pending rating with its token.
        ratings = env["rating.rating"].create(
            [{"res_model_id": model_id, "res_id": task.id, "partner_id": customer.id,
              "rated_partner_id": env.user.partner_id.id} for task in tasks]
        )
        tokens.extend(ratings.mapped("access_token"))
        env.cr.commit()
        env.invalidate_all()
    with open(options.out, "w", encoding="ascii") as out:
        out.write("\n".join(tokens) + "\n")
    return {"tokens": len(tokens)}


def fill_sync(env, options):
    with open(options.names, encoding="ascii") as names:
        plan = [(name, "delivered") for name in names.read().split()]
    plan += [("PROBE-%06d" % n, "delivered") for n in range(options.size)]  # for `probe`, never synced
    rng = random.Random(6)
    ref = reference_data(env, beneficiaries=1000)
    _service, key = feedback_service_user(env, options.login)
    set_secret(env, options.secret)
    ids = insert_requests(env, ref, plan, rng)
    env.cr.execute("ANALYZE beneficiary_request")
    return {"requests": len(ids), "api_key": key}


# name = fields.Char(index=True) instead of index="trigram": what Odoo would create.
NAME_INDEX = ("DROP INDEX beneficiary_request__name_index; "
              "CREATE INDEX beneficiary_request__name_index ON beneficiary_request (name)")


def probe(env, options):
    """import_feedback in-process on the delivered requests PROBE-000000... that `sync` made,
    as the feedback service's user, each run rolled back: seconds and queries; and the lookup of
    200 requests by reference with the trigram index on name (as shipped), then with a btree one."""
    from odoo.addons.beneficiary_relations.policy import feedback_token  # noqa: PLC0415

    size = options.size
    names = ["PROBE-%06d" % n for n in range(size)]
    service = env["res.users"].search([("login", "=", options.login)])
    expiry = int(time.time()) + 30 * 86400
    submitted = (datetime.datetime.utcnow() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    env.cr.execute("SELECT count(*) FROM beneficiary_request")
    results = {"requests in the table": env.cr.fetchone()[0]}

    lookups = {}
    env.cr.execute("SELECT name FROM beneficiary_request ORDER BY md5(name) LIMIT 200")
    sample = [row[0] for row in env.cr.fetchall()]
    for label in ("trigram index on name (as shipped)", "btree index on name instead (index=True)"):
        if "btree" in label:
            env.cr.execute(NAME_INDEX)
        timings = []
        for _ in range(5):
            env.invalidate_all()
            started = time.perf_counter()
            env["beneficiary.request"].sudo().search([("name", "in", sample)])
            timings.append((time.perf_counter() - started) * 1000)
        lookups[label] = round(sorted(timings)[2], 1)
    env.cr.rollback()
    results["name lookup of 200 references, median ms"] = lookups

    for label, low_share in (("all ratings 4-5", 0.0), ("15% of ratings 1-2", 0.15)):
        rng = random.Random(8)  # the same ratings in every 15% run
        vals = [{
            "token": feedback_token.make_token(options.secret, name, expiry),
            "rating": rng.choice((1, 2)) if rng.random() < low_share else rng.choice((4, 5)),
            "comment": "", "submitted_at": submitted, "answers": {"overall": 4},
        } for name in names]
        Feedback = env["beneficiary.feedback"].with_user(service)
        env.invalidate_all()
        created, count, started = 0, env.cr.sql_log_count, time.perf_counter()
        for start in range(0, size, 200):
            reply = Feedback.import_feedback(vals[start:start + 200])
            created += sum(item["status"] == "created" for item in reply)
        env.flush_all()
        results[label] = {"seconds": round(time.perf_counter() - started, 3),
                          "queries": env.cr.sql_log_count - count, "created": created,
                          "low": sum(v["rating"] <= 2 for v in vals)}
        env.cr.rollback()
        env.invalidate_all()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("rating", "sync", "probe"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--count", type=int)
    parser.add_argument("--out")
    parser.add_argument("--names")
    parser.add_argument("--login")
    parser.add_argument("--secret")
    parser.add_argument("--size", type=int, default=1000)
    options = parser.parse_args()
    started = time.monotonic()
    with odoo_env(options.db, options.addons_path) as env:
        figures = {"rating": fill_rating, "sync": fill_sync, "probe": probe}[options.command](env, options)
    figures["seconds"] = round(time.monotonic() - started, 1)
    emit(figures)


if __name__ == "__main__":
    main()
