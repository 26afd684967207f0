"""Odoo down for a whole burst of ratings, then back: the outbox drains into the real Odoo, once each.

Issue 6 against a real Odoo 18.0 (the loopback fake Odoo runs the other
faults in services/feedback/tests/test_faults_sync.py). The stack is the
end-to-end one (tests/e2e/odoo_stack.py): a copy of the demo database, the
Feedback Service user made by deploy/provision_feedback.py, the service under
gunicorn. Forty requests are opened in one association (so that their numbers
are unique in the database) and their links minted with the shared secret, as
`flask --app feedback issue-link` does for reprints. Then:

1. `flask --app feedback sync --loop` runs as its own process;
2. Odoo is stopped (as for an update);
3. eight clients rate the forty requests through the service: every one is
   thanked, while every sync round fails with "Odoo unreachable" and costs no
   attempt;
4. Odoo starts again on the same address; the outbox drains by itself;
5. Odoo holds exactly one rating per request, with the value that was sent.

Needs an Odoo 18.0 (else skipped, saying so); scripts/test.sh runs it in its
Odoo tier. About 1.5 minutes, most of it Odoo starting twice.
"""

import concurrent.futures
import re
import signal
import subprocess
import sys

import requests
from odoo_stack import SERVICE, TOKEN_MODULE, load_module, read_log, token_reference, wait_for

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
COUNT = 40


def rate(link, rating):
    """One beneficiary's phone: open the link, send the form; the page's <h1>."""
    with requests.Session() as browser:
        page = browser.get(link + "?lang=en", timeout=15)
        match = CSRF.search(page.text)
        assert page.status_code == 200 and match, page.text[-300:]
        done = browser.post(link + "?lang=en", data={"rating": str(rating), "csrf_token": match.group(1)}, timeout=15)
    return done.status_code, re.search(r"<h1>(.*?)</h1>", done.text).group(1)


def test_ratings_made_while_odoo_is_down_reach_it_once_when_it_is_back(stack, tmp_path):
    admin = stack.odoo.admin()
    template = admin("beneficiary.request", "search_read", [], fields=["company_id", "beneficiary_id", "channel_id"],
                     limit=1, order="id")[0]
    request_ids = admin("beneficiary.request", "create", [
        {"company_id": template["company_id"][0], "beneficiary_id": template["beneficiary_id"][0],
         "channel_id": template["channel_id"][0], "description": "Burst %d" % number}
        for number in range(COUNT)
    ])
    names = {row["id"]: row["name"] for row in admin("beneficiary.request", "read", request_ids, fields=["name"])}
    assert admin("beneficiary.request", "search_count", [("name", "in", list(names.values()))]) == COUNT
    tokens = load_module("e2e_service_tokens", TOKEN_MODULE)
    secret = stack.odoo.service_env["FEEDBACK_SECRET"]
    links = {request_id: "%s/r/%s" % (stack.service.url, tokens.issue_token(secret, name, 30))
             for request_id, name in names.items()}
    sent = {request_id: number % 5 + 1 for number, request_id in enumerate(request_ids)}

    log_path = tmp_path / "sync.log"
    with open(log_path, "w", encoding="utf-8") as log:
        loop = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "flask", "--app", "feedback", "sync", "--loop", "--interval", "0.5"],
            cwd=SERVICE, env=stack.service.environ, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        stack.odoo.stop()
        with concurrent.futures.ThreadPoolExecutor(8) as clients:
            pages = list(clients.map(lambda request_id: rate(links[request_id], sent[request_id]), request_ids))
        assert pages == [(200, "Thank you!")] * COUNT
        wait_for(lambda: read_log(log_path).count("Odoo unreachable") >= 2, 60, "two sync rounds failing",
                 loop, lambda: read_log(log_path))
        assert stack.service.outbox_states() == {"pending": COUNT}

        stack.odoo.start()  # back, on the same address
        wait_for(lambda: stack.service.outbox_states() == {"sent": COUNT}, 120, "the outbox to drain",
                 loop, lambda: read_log(log_path))
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(30) == 0, read_log(log_path)
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.wait(10)

    assert set(re.findall(r"dead (\d+)", read_log(log_path))) == {"0"}  # nothing given up on
    admin = stack.odoo.admin()
    records = admin("beneficiary.feedback", "search_read", [("request_id", "in", request_ids)],
                    fields=["request_id", "rating", "token_ref"])
    assert sorted((record["request_id"][0], record["rating"]) for record in records) == sorted(sent.items())
    assert {record["token_ref"] for record in records} == {token_reference(link.rsplit("/", 1)[1])
                                                           for link in links.values()}
