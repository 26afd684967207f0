"""End to end: a link minted by Odoo, rated through the real service, synced over XML-RPC, seen on the request.

Nothing is simulated. A real Odoo 18.0 serves a copy of the demo database
(the addon installed with demo data); deploy/provision_feedback.py makes the
Feedback Service user (portal, group Feedback Service) and its API key, as a
deployment does. The administrator delivers an approved demo request through
the workflow, and Odoo mints the link. The feedback service runs under
gunicorn with its gunicorn.conf.py and the same secret; the beneficiary's
browser is a `requests` session (cookie, CSRF token, form post). Then
`flask --app feedback sync` runs as its own process, and the administrator
reads the request back over XML-RPC. The demo data holds two associations
whose request numbers overlap; the other association's request with the same
number gets its link too, and is rated as well: each rating must land on its
own request.

Needs an Odoo 18.0 (else skipped, saying so); scripts/test.sh runs it in its
Odoo tier on its demo database (ODOO_TEST_DATABASE). About a minute.
"""

import datetime
import re
import xmlrpc.client

import pytest
import requests
from odoo_stack import SERVICE_LOGIN, rpc, token_reference

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Hostile but well-formed text: Odoo must keep it as plain text and never run it as markup.
COMMENT = "لم يُشرح لي الإجراء <script>alert('x')</script> & <b>bold</b> <img src=x onerror=alert(1)> ' OR 1=1 --"
ANSWERS = {"respect": 1, "time": 2, "clarity": 3, "promptness": 2, "overall": 2}
RATING = 2  # a low rating: Odoo also asks the manager to follow up
FOLLOW_UP = "beneficiary_relations.mail_activity_feedback_followup"


@pytest.fixture(scope="module")
def rated(stack):
    """Deliver a demo request, rate it through its link, sync once; what each step gave."""
    admin = stack.odoo.admin()
    ids = admin("beneficiary.request", "search", [("stage_kind", "=", "approved"), ("feedback_url", "=", False)],
                limit=1, order="id")
    assert ids, "the demo data has no approved request waiting for delivery"
    request_id = ids[0]
    admin("beneficiary.request", "write", [request_id], {"delivered_description": "Food basket handed over."})
    admin("beneficiary.request", "action_deliver", [request_id])
    request = admin("beneficiary.request", "read", [request_id], fields=["name", "stage_kind", "feedback_url"])[0]
    assert request["stage_kind"] == "delivered"
    link = request["feedback_url"]
    assert link and link.startswith(stack.service.url + "/r/v1."), link

    browser = requests.Session()
    page = browser.get(link, timeout=15)
    assert page.status_code == 200, page.text[-500:]
    assert '<html lang="ar" dir="rtl">' in page.text and request["name"] in page.text
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    answer = browser.post(
        link, data={"rating": str(RATING), "comment": COMMENT, "csrf_token": CSRF.search(page.text).group(1),
                    **{code: str(value) for code, value in ANSWERS.items()}},
        timeout=15,
    )
    assert answer.status_code == 200 and "شكرًا لك!" in answer.text, answer.text[-500:]
    in_odoo_before_sync = admin("beneficiary.feedback", "search_count",
                                [("token_ref", "=", token_reference(link.rsplit("/", 1)[1]))])

    # The other association of the demo data counts its requests from 00001 too: its delivered
    # request with the same counter (REQ-<id>/2026/00009 beside REQ/2026/00009) gets its own
    # link, and its beneficiary rates too.
    counter = request["name"].split("/", 1)[1]
    twin = admin("beneficiary.request", "search_read",
                 [("name", "=like", "%/" + counter), ("id", "!=", request_id)], fields=["stage_kind", "name"])
    assert twin and twin[0]["stage_kind"] in ("delivered", "closed"), twin
    assert twin[0]["name"] != request["name"], "request numbers are unique in the database"
    admin("beneficiary.request", "action_send_feedback_link", [twin[0]["id"]])
    twin_link = admin("beneficiary.request", "read", [twin[0]["id"]], fields=["feedback_url"])[0]["feedback_url"]
    twin_browser = requests.Session()
    twin_page = twin_browser.get(twin_link + "?lang=en", timeout=15)
    if twin_page.status_code == 200 and CSRF.search(twin_page.text):
        twin_browser.post(twin_link + "?lang=en", timeout=15,
                          data={"rating": "5", "csrf_token": CSRF.search(twin_page.text).group(1)})

    synced = stack.service.flask("sync")
    return {
        "admin": admin, "request_id": request_id, "name": request["name"], "link": link,
        "token": link.rsplit("/", 1)[1], "before": before, "in_odoo_before_sync": in_odoo_before_sync,
        "sync": synced, "twin_id": twin[0]["id"], "twin_token": twin_link.rsplit("/", 1)[1], "twin_page": twin_page,
    }


def feedback_of(rated, *fields, token=None):
    """The beneficiary.feedback records Odoo holds for a link (found by its digest)."""
    digest = token_reference(token or rated["token"])
    return rated["admin"]("beneficiary.feedback", "search_read", [("token_ref", "=", digest)],
                          fields=["request_id", *fields])


def test_the_rating_reaches_odoo_with_its_answers_and_comment(rated):
    assert rated["in_odoo_before_sync"] == 0  # the service stores first; Odoo hears of it at sync
    synced = rated["sync"]
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "(of which already in Odoo 0), dead 0, to retry 0" in synced.stdout

    records = feedback_of(rated, "rating", "comment", "submitted_at", *("answer_%s" % code for code in ANSWERS))
    assert len(records) == 1
    feedback = records[0]
    assert feedback["rating"] == RATING
    assert {code: feedback["answer_%s" % code] for code in ANSWERS} == ANSWERS
    assert feedback["comment"] == COMMENT  # exactly what was typed: plain text, nothing stripped or run
    submitted = datetime.datetime.strptime(feedback["submitted_at"], "%Y-%m-%d %H:%M:%S")
    assert rated["before"] <= submitted <= rated["before"] + datetime.timedelta(minutes=5)


def test_the_rating_is_on_the_request_that_was_delivered(rated):
    """The demo data has two associations whose counters overlap (REQ/2026/00009, REQ-<id>/2026/00009)."""
    records = feedback_of(rated)
    assert [record["request_id"][0] for record in records] == [rated["request_id"]], (
        "the rating of %s (#%d) went to %s" % (rated["name"], rated["request_id"], records))
    request = rated["admin"]("beneficiary.request", "read", [rated["request_id"]],
                             fields=["feedback_rating", "feedback_ids"])[0]
    assert request["feedback_rating"] == RATING
    assert request["feedback_ids"] == [records[0]["id"]]


def test_the_same_request_number_in_another_association_is_rated_apart(rated):
    """Each association counts its requests from 00001; a link is for one request of one association."""
    page = rated["twin_page"]
    heading = re.search(r"<h1>(.*?)</h1>", page.text)
    assert page.status_code == 200 and 'name="rating"' in page.text, (
        "the other association's beneficiary got %s: %s" % (page.status_code, heading and heading.group(1)))
    records = feedback_of(rated, "rating", token=rated["twin_token"])
    assert [(record["request_id"][0], record["rating"]) for record in records] == [(rated["twin_id"], 5)]


def test_a_second_sync_and_a_resent_batch_create_nothing(rated, stack):
    request_id = rated["request_id"]
    again = stack.service.flask("sync")
    assert again.returncode == 0 and "sent 0" in again.stdout, again.stdout + again.stderr
    assert set(stack.service.outbox_states()) == {"sent"}
    # The batch as the service sent it, sent again with the service's own login (a reply lost after commit).
    values = stack.odoo.service_env
    uid = rpc(stack.odoo.url, "common").authenticate(values["ODOO_DB"], SERVICE_LOGIN, values["ODOO_API_KEY"], {})
    assert uid
    feedback_ids = [record["id"] for record in feedback_of(rated)]
    assert len(feedback_ids) == 1
    item = {"token": rated["token"], "rating": 5, "comment": "", "answers": {},
            "submitted_at": rated["before"].strftime("%Y-%m-%d %H:%M:%S")}
    reply = rpc(stack.odoo.url, "object").execute_kw(
        values["ODOO_DB"], uid, values["ODOO_API_KEY"], "beneficiary.feedback", "import_feedback", [[item]])
    assert reply == [{"token": rated["token"], "status": "duplicate", "id": feedback_ids[0], "error": ""}]
    assert [(record["id"], record["rating"]) for record in feedback_of(rated, "rating")] == [(feedback_ids[0], RATING)]
    # and the service user still reads nothing
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        rpc(stack.odoo.url, "object").execute_kw(
            values["ODOO_DB"], uid, values["ODOO_API_KEY"], "beneficiary.request", "read", [[request_id]],
            {"fields": ["name"]})


def test_the_link_now_says_already_rated(rated):
    page = requests.get(rated["link"] + "?lang=en", timeout=15)
    assert page.status_code == 200
    assert "This request has already been rated" in page.text and 'name="rating"' not in page.text


def test_the_comment_is_shown_as_text_in_odoo_s_screens(rated):
    """The web client escapes a text field; an HTML widget on the comment would run its markup."""
    admin = rated["admin"]
    assert admin("beneficiary.feedback", "fields_get", ["comment"], attributes=["type"])["comment"]["type"] == "text"
    views = admin("beneficiary.feedback", "get_views", [[False, "form"], [False, "list"]])["views"]
    for kind in ("form", "list"):
        fields = re.findall(r'<field name="comment"[^>]*>', views[kind]["arch"])
        assert fields, "the %s view does not show the comment" % kind
        assert all('widget="html"' not in field for field in fields), fields


def test_the_low_rating_s_follow_up_carries_none_of_the_comment(rated):
    """The follow-up activity sits on the rating, which only officers and managers read, and
    nothing of it on the request, which the case's researcher and the committee read. Its
    note is HTML: the comment, markup and all, stays in the rating's own field, shown as text
    (see the test above)."""
    admin = rated["admin"]
    rating = feedback_of(rated)[0]
    module, name = FOLLOW_UP.split(".")
    kind = admin("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"])
    followup = [("activity_type_id", "=", kind[0]["res_id"])]
    on_request = [("res_model", "=", "beneficiary.request"), ("res_id", "=", rating["request_id"][0])]
    assert admin("mail.activity", "search_read", on_request + followup, fields=["id"]) == []
    activities = admin("mail.activity", "search_read", [
        ("res_model", "=", "beneficiary.feedback"), ("res_id", "=", rating["id"]), *followup,
    ], fields=["note", "summary"])
    assert len(activities) == 1, activities
    note = activities[0]["note"] or ""
    for typed in ("script", "alert(", "bold", "onerror", "لم يُشرح لي الإجراء", "OR 1=1"):
        assert typed not in note, note
    assert "comment on the rating" in note.replace("&#39;", "'")
