"""Sync into Odoo against the loopback fake Odoo, with faults: nothing lost, nothing twice."""

import datetime
import random
import re
import socket
import threading
import xmlrpc.client

import pytest
from sqlalchemy import select, update

from feedback import db
from feedback.config import from_environment
from feedback.forms import clean_comment
from feedback.models import OutboxItem, Rating, utcnow
from feedback.sync import BadReply, OdooClient, Policy, check_reply, describe, drain
from feedback.tokens import sign_token

from helpers import SECRET, ServiceClock, csrf_from, make_token, odoo_settings, rate


@pytest.fixture
def app_config(fake_odoo):
    return {
        **odoo_settings(fake_odoo),
        "ODOO_CONNECT_TIMEOUT": 2.0,
        "ODOO_READ_TIMEOUT": 0.5,
        "FEEDBACK_SYNC_MAX_ATTEMPTS": 3,
        "RATELIMIT_ENABLED": False,
    }


def rate_many(client, count, start=1):
    tokens = []
    for number in range(start, start + count):
        token = make_token("REQ/2026/%05d" % number)
        assert rate(client, token, rating=number % 5 + 1, respect=4, comment="تعليق %d" % number).status_code == 200
        tokens.append(token)
    return tokens


def outbox(app):
    with app.app_context():
        return {
            ref: (item.state, item.attempts, item.token, item.last_error)
            for item, ref in db.session().execute(select(OutboxItem, Rating.request_ref).join(Rating)).all()
        }


def states(app):
    return sorted(state for state, *_ in outbox(app).values())


def make_due(app):
    """Skip the backoff wait: every pending row is due now."""
    with app.app_context():
        session = db.session()
        session.execute(update(OutboxItem).values(next_attempt_at=utcnow()))
        session.commit()


def sync(runner, *args):
    return runner.invoke(args=["sync", *args])


def test_ratings_reach_odoo_with_the_contract_values(app, client, runner, fake_odoo):
    tokens = rate_many(client, 3)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert set(fake_odoo.imported) == set(tokens)
    record = fake_odoo.imported[tokens[0]]
    assert record["ref"] == "REQ/2026/00001"
    assert record["rating"] == 2 and record["answers"] == {"respect": 4} and record["comment"] == "تعليق 1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", record["submitted_at"])
    assert states(app) == ["sent"] * 3
    # Once Odoo has a token, the service forgets it (only its hash stays on the rating).
    assert {token for _state, _attempts, token, _error in outbox(app).values()} == {None}


def test_a_form_sent_after_its_link_expired_reaches_odoo(app, client, runner, fake_odoo, monkeypatch):
    """The page was shown ten minutes ago, while the link was valid; it expired a minute ago."""
    clock = ServiceClock(monkeypatch)
    link = sign_token(SECRET, "REQ/2026/00007", int(clock.now) - 60)
    clock.now -= 600
    csrf = csrf_from(client.get("/r/%s" % link))
    clock.now += 600
    assert client.post("/r/%s" % link, data={"csrf_token": csrf, "rating": "3"}).status_code == 200
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert fake_odoo.imported[link]["rating"] == 3
    assert states(app) == ["sent"]


def test_a_comment_with_characters_xml_cannot_carry_does_not_block_its_batch(app, client, runner, fake_odoo):
    tokens = rate_many(client, 2)
    token = make_token("REQ/2026/00003")
    # U+FFFE and U+FFFF are valid UTF-8 but not XML: Odoo's parser would refuse the whole batch.
    assert rate(client, token, rating=1, comment="شكرًا 😀\r\nللفريق\ufffe و\uffff").status_code == 200
    with app.app_context():
        stored = db.session().scalar(select(Rating.comment).where(Rating.request_ref == "REQ/2026/00003"))
    assert stored == "شكرًا 😀\nللفريق و"
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert set(fake_odoo.imported) == {*tokens, token}
    assert fake_odoo.imported[token]["comment"] == stored
    assert states(app) == ["sent"] * 3


def test_every_character_a_cleaned_comment_keeps_can_travel_in_xml_rpc():
    every = "x" + "".join(map(chr, range(0x10000))) + "\U0001f600\U0010fffd"
    cleaned = clean_comment(every)
    assert "\ud800" not in cleaned and "\udfff" not in cleaned and "\ufffe" not in cleaned
    assert "ش" in cleaned and "\n" in cleaned and "\t" in cleaned and "\U0001f600" in cleaned
    (echoed,), _method = xmlrpc.client.loads(xmlrpc.client.dumps((cleaned,)))
    assert echoed == cleaned


def test_batches_are_bounded(app, client, runner, fake_odoo):
    rate_many(client, 5)
    result = sync(runner, "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert fake_odoo.calls == 3
    assert len(fake_odoo.imported) == 5


def test_the_ratings_due_the_longest_go_first(app, client, runner, fake_odoo):
    """After an outage, a rating whose retry has been due for hours goes before one that came in
    a minute ago, whatever their order of arrival."""
    first, second, third = rate_many(client, 3)
    now = utcnow()
    with app.app_context():
        session = db.session()
        for ref, minutes in (("REQ/2026/00001", 1), ("REQ/2026/00002", 180), ("REQ/2026/00003", 60)):
            rating_id = session.scalar(select(Rating.id).where(Rating.request_ref == ref))
            session.execute(update(OutboxItem).where(OutboxItem.rating_id == rating_id)
                            .values(next_attempt_at=now - datetime.timedelta(minutes=minutes)))
        session.commit()
    assert sync(runner, "--batch-size", "2").exit_code == 0
    assert fake_odoo.calls == 2 and list(fake_odoo.imported) == [second, third, first]


def test_nothing_to_send_calls_nobody(app, runner, fake_odoo):
    fake_odoo.stop()
    result = sync(runner)
    assert result.exit_code == 0
    assert "sent 0" in result.output


def test_odoo_down_loses_nothing(app, client, runner, fake_odoo):
    rate_many(client, 3)
    fake_odoo.stop()
    result = sync(runner)
    assert result.exit_code == 1
    assert "Odoo unreachable" in result.output
    assert states(app) == ["pending"] * 3
    # the outage is written on the rows, and costs them no attempt
    rows = outbox(app).values()
    assert {(state, attempts) for state, attempts, _token, _error in rows} == {("pending", 0)}
    assert all(error.startswith("Odoo unreachable: ConnectionRefusedError") for *_rest, error in rows)
    fake_odoo.start()
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert states(app) == ["sent"] * 3
    assert {error for *_rest, error in outbox(app).values()} == {None}
    assert len(fake_odoo.imported) == 3


def test_a_server_fault_is_retried_later_with_backoff(app, client, runner, fake_odoo):
    rate_many(client, 2)
    fake_odoo.inject("fault", 3)  # Odoo failing as a whole: the batch, then each of its halves
    result = sync(runner)
    assert fake_odoo.calls == 3
    assert result.exit_code == 1
    assert "injected server fault" in result.output
    rows = outbox(app)
    assert all(state == "pending" and attempts == 1 and "injected server fault" in error
               for state, attempts, _token, error in rows.values())
    with app.app_context():
        waits = [item.next_attempt_at for item in db.session().scalars(select(OutboxItem))]
    assert all(wait > utcnow() for wait in waits)
    calls = fake_odoo.calls
    assert sync(runner).exit_code == 0  # not due yet: Odoo is left alone
    assert fake_odoo.calls == calls
    make_due(app)
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent", "sent"]
    assert len(fake_odoo.imported) == 2


def test_slow_odoo_times_out_and_the_retry_duplicates_nothing(app, client, runner, fake_odoo):
    tokens = rate_many(client, 2)
    fake_odoo.delay = 1.5  # longer than ODOO_READ_TIMEOUT
    fake_odoo.inject("slow")
    result = sync(runner)
    assert result.exit_code == 1
    assert "timed out" in result.output
    assert states(app) == ["pending", "pending"]
    make_due(app)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "already in Odoo 2" in result.output
    assert sorted(fake_odoo.imported) == sorted(tokens)  # committed once, not twice
    assert states(app) == ["sent", "sent"]


def test_a_rating_odoo_cannot_take_fails_alone(app, client, runner, fake_odoo):
    """Odoo's import is all or nothing per call: one rating it faults on (a bug or a constraint on
    its side) must not hold back, and in the end kill, the ratings batched with it."""
    tokens = rate_many(client, 8)
    fake_odoo.poisoned.add(tokens[5])
    result = sync(runner)
    assert result.exit_code == 1
    assert "injected fault on one rating" in result.output
    rows = outbox(app)
    assert rows["REQ/2026/00006"][:2] == ("pending", 1)
    assert "injected fault on one rating" in rows["REQ/2026/00006"][3]
    assert states(app) == ["pending"] + ["sent"] * 7
    assert sorted(fake_odoo.imported) == sorted(tokens[:5] + tokens[6:])
    assert fake_odoo.calls == 1 + 2 * 3  # the batch of 8, then two halves at each of 3 levels

    make_due(app)  # still refused: it is charged alone, once per round
    assert sync(runner).exit_code == 1
    assert outbox(app)["REQ/2026/00006"][:2] == ("pending", 2) and fake_odoo.calls == 8
    fake_odoo.poisoned.clear()  # fixed on Odoo's side
    make_due(app)
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent"] * 8 and set(fake_odoo.imported) == set(tokens)


def test_two_ratings_odoo_cannot_take_fail_alone_even_in_different_halves(app, client, runner, fake_odoo):
    """Both halves of the batch fault here, which is also what Odoo failing as a whole looks
    like: the search must go on into both, not charge the 38 good ratings with the two bad."""
    tokens = rate_many(client, 40)
    fake_odoo.poisoned.update({tokens[3], tokens[30]})
    result = sync(runner)
    assert result.exit_code == 1
    assert "sent 38 (of which already in Odoo 0), dead 0, to retry 2" in result.output
    rows = outbox(app)
    assert {ref for ref, row in rows.items() if row[0] == "pending"} == {"REQ/2026/00004", "REQ/2026/00031"}
    assert rows["REQ/2026/00004"][1] == rows["REQ/2026/00031"][1] == 1
    assert sorted(fake_odoo.imported) == sorted(tokens[:3] + tokens[4:30] + tokens[31:])
    # the batch, its two halves, then two calls a level down to each bad rating: 20, 10, 5, 3, 2, 1
    # for the 4th (5 levels), 20, 10, 5, 2, 1 for the 31st (4 levels)
    assert fake_odoo.calls == 1 + 2 + 2 * 5 + 2 * 4


def test_a_fault_that_passes_when_split_sends_everything_in_the_round(app, client, runner, fake_odoo):
    tokens = rate_many(client, 8)
    fake_odoo.inject("fault", 1)
    result = sync(runner)
    assert "sent 8 (of which already in Odoo 0), dead 0, to retry 0" in result.output
    assert "last error: Odoo fault 1: injected server fault" in result.output  # the operator hears of it
    assert result.exit_code == 1
    assert states(app) == ["sent"] * 8 and sorted(fake_odoo.imported) == sorted(tokens)
    assert fake_odoo.calls == 3


def test_odoo_failing_as_a_whole_costs_a_bounded_search_a_round(app, client, runner, fake_odoo):
    rate_many(client, 20)
    fake_odoo.inject("fault", 1000)
    assert sync(runner).exit_code == 1
    # the batch, then splits while the budget of 3·⌈log2 20⌉ = 15 faulted calls allows two more
    assert fake_odoo.calls == 1 + 14
    assert {(state, attempts) for state, attempts, _token, _error in outbox(app).values()} == {("pending", 1)}
    fake_odoo.take_all("fault")  # Odoo is mended
    make_due(app)
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent"] * 20 and fake_odoo.calls == 16


def test_reply_lost_after_commit_duplicates_nothing(app, client, runner, fake_odoo):
    tokens = rate_many(client, 3)
    fake_odoo.inject("lose_reply", 2)  # xmlrpc.client itself retries a dropped connection once
    result = sync(runner)
    assert result.exit_code == 1
    assert len(fake_odoo.imported) == 3  # Odoo did commit
    assert states(app) == ["pending"] * 3
    make_due(app)
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent"] * 3
    assert sorted(fake_odoo.imported) == sorted(tokens)


def test_a_second_link_for_a_request_rated_in_odoo_is_settled_as_its_duplicate(app, client, runner, fake_odoo):
    """The service's database was restored from a backup older than a rating that Odoo has, and
    the beneficiary rated again through a reprinted link: the first rating stands, the second
    is settled (sent, its token dropped) and waits for nobody."""
    first = make_token("REQ/2026/00001")
    assert rate(client, first, rating=5).status_code == 200
    assert sync(runner).exit_code == 0
    odoo_id = fake_odoo.imported[first]["id"]
    with app.app_context():  # the restore
        session = db.session()
        session.execute(OutboxItem.__table__.delete())
        session.execute(Rating.__table__.delete())
        session.commit()
    reprint = make_token("REQ/2026/00001", days=10)
    assert reprint != first
    assert rate(client, reprint, rating=1).status_code == 200

    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "sent 1 (of which already in Odoo 1), dead 0" in result.output
    assert outbox(app) == {"REQ/2026/00001": ("sent", 1, None, None)}
    with app.app_context():
        assert db.session().execute(select(OutboxItem.odoo_id)).scalar_one() == odoo_id
    assert list(fake_odoo.imported) == [first] and fake_odoo.imported[first]["rating"] == 5


def test_a_late_outcome_does_not_undo_rows_another_sync_settled(app, client, runner, fake_odoo):
    tokens = rate_many(client, 2)

    class Overtaken(OdooClient):
        def import_feedback(self, vals_list):
            # While this process waits for Odoo, another sync process sends the same rows ...
            assert sync(runner).exit_code == 0
            raise TimeoutError("timed out")  # ... and this one's call times out, on its last attempt.

    with app.app_context():
        drain(db.session(), Overtaken.from_config(app.config), Policy(max_attempts=1))
    assert outbox(app) == {"REQ/2026/00001": ("sent", 1, None, None), "REQ/2026/00002": ("sent", 1, None, None)}
    assert sorted(fake_odoo.imported) == sorted(tokens)


def test_rows_die_after_bounded_attempts_and_can_be_requeued(app, client, runner, fake_odoo):
    rate_many(client, 2)
    fake_odoo.inject("fault", 9)  # three rounds of three calls (the batch and its two halves)
    for _ in range(3):
        make_due(app)
        assert sync(runner).exit_code == 1
    assert states(app) == ["dead", "dead"]
    listing = runner.invoke(args=["outbox"])
    assert "pending: 0  sent: 0  dead: 2" in listing.output
    assert "REQ/2026/00001 dead attempts=3" in listing.output and "injected server fault" in listing.output
    requeued = runner.invoke(args=["requeue"])
    assert "2 dead row(s) put back" in requeued.output
    assert [attempts for _state, attempts, _t, _e in outbox(app).values()] == [0, 0]
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent", "sent"]
    assert len(fake_odoo.imported) == 2


def test_rejected_items_are_dead_with_odoo_s_reason_and_do_not_block_others(app, client, runner, fake_odoo):
    rate_many(client, 2)
    with app.app_context():
        session = db.session()
        session.add(Rating(request_ref="REQ/2026/09999", token_sha256="f" * 64, rating=5, answers={}, comment="",
                           outbox=OutboxItem(token=make_token("REQ/2026/09999", secret="x" * 40))))
        session.commit()
    result = sync(runner)
    assert result.exit_code == 0
    rows = outbox(app)
    assert rows["REQ/2026/09999"][0] == "dead" and rows["REQ/2026/09999"][3] == "token forged"
    assert rows["REQ/2026/00001"][0] == rows["REQ/2026/00002"][0] == "sent"
    assert runner.invoke(args=["requeue", "--id", "999"]).output.startswith("0 dead row(s)")


def test_a_secret_that_differs_from_odoo_s_is_visible_and_recoverable(app, client, runner, fake_odoo):
    rate_many(client, 2)
    fake_odoo.secret = "a-different-secret-in-odoo-0123456789"
    assert sync(runner).exit_code == 0
    assert states(app) == ["dead", "dead"]
    assert "token forged" in runner.invoke(args=["outbox", "--state", "dead"]).output
    fake_odoo.secret = SECRET  # the administrator fixes the setting
    runner.invoke(args=["requeue"])
    assert sync(runner).exit_code == 0
    assert states(app) == ["sent", "sent"]


@pytest.mark.parametrize("loop", [False, True], ids=["once", "loop"])
def test_a_refused_login_stops_with_a_clear_error(app, client, runner, fake_odoo, loop):
    rate_many(client, 1)
    app.config["ODOO_API_KEY"] = "wrong-key"
    result = sync(runner, *(["--loop", "--interval", "0.05", "--max-rounds", "3"] if loop else []))
    assert result.exit_code != 0
    assert "Odoo refused the login of 'feedback-service'" in result.output
    assert "sync stopped" in result.output
    state, attempts, _token, error = outbox(app)["REQ/2026/00001"]
    assert (state, attempts) == ("pending", 0)
    assert error.startswith("Odoo refused the login of 'feedback-service'")


def test_a_wrong_database_name_stops_with_odoo_s_message(app, client, runner, fake_odoo):
    rate_many(client, 1)
    app.config["ODOO_DB"] = "no_such_db"
    result = sync(runner)
    assert result.exit_code != 0
    assert "no_such_db" in result.output


def test_loop_keeps_sending_until_stopped(app, client, runner, fake_odoo):
    rate_many(client, 2)
    result = sync(runner, "--loop", "--interval", "0.05", "--max-rounds", "2")
    assert result.exit_code == 0, result.output
    assert result.output.count("sent") == 2  # one line a round
    assert len(fake_odoo.imported) == 2


def test_sync_without_odoo_settings_says_what_to_set(app, runner):
    app.config["ODOO_URL"] = ""
    result = sync(runner)
    assert result.exit_code != 0
    assert "set ODOO_URL" in result.output


def test_backoff_doubles_with_jitter_and_is_capped():
    policy = Policy(backoff_base=10, backoff_max=300, rng=random.Random(5))
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (40, 300)]:
        delays = {policy.delay(attempts) for _ in range(20)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1  # jitter: retries of many rows do not fall on the same second


class Item:
    """A row of a batch, as check_reply sees it."""

    def __init__(self, token):
        self.token = token


def test_a_reply_out_of_contract_is_refused():
    items = [Item("a"), Item("b")]
    ok = [{"token": "a", "status": "created", "id": 1, "error": ""},
          {"token": "b", "status": "duplicate", "id": 2, "error": ""}]
    assert check_reply(items, ok) == ok
    for bad in (ok[:1], list(reversed(ok)), [ok[0], dict(ok[1], status="maybe")], "nope", None):
        with pytest.raises(BadReply):
            check_reply(items, bad)


def test_a_reply_with_an_id_that_is_no_record_id_is_refused():
    items = [Item("a"), Item("b")]
    ok = [{"token": "a", "status": "created", "id": 1, "error": ""},
          {"token": "b", "status": "duplicate", "id": False, "error": ""}]
    assert check_reply(items, ok) == ok
    rejected = {"token": "b", "status": "rejected", "id": "n/a", "error": "token forged"}
    assert check_reply(items, [ok[0], rejected]) == [ok[0], rejected]  # a rejected item's id is not used
    for bad_id in ("42abc", "42", True, None, 4.2, -1, 0, 2**31, [42]):
        for status in ("created", "duplicate"):
            with pytest.raises(BadReply, match="not a record id"):
                check_reply(items, [ok[0], dict(ok[1], status=status, id=bad_id)])
    without_id = {key: value for key, value in ok[0].items() if key != "id"}
    with pytest.raises(BadReply, match="not a record id"):
        check_reply(items[:1], [without_id])


def test_loop_rides_out_an_odoo_outage(app, client, runner, fake_odoo):
    rate_many(client, 2)
    fake_odoo.stop()
    timer = threading.Timer(0.4, fake_odoo.start)
    timer.start()
    try:
        result = sync(runner, "--loop", "--interval", "0.2", "--max-rounds", "8")
    finally:
        timer.join()
    assert result.exit_code == 0, result.output
    assert "Odoo unreachable" in result.output.splitlines()[0]
    assert states(app) == ["sent", "sent"]
    assert len(fake_odoo.imported) == 2


def test_an_http_error_is_described_without_the_address_and_its_password():
    error = xmlrpc.client.ProtocolError("sync:hunter2-proxy-pass@odoo.example.org/xmlrpc/2/object", 502,
                                        "Bad Gateway", {})
    assert describe(error) == "Odoo answered HTTP 502 Bad Gateway"


@pytest.mark.parametrize("spelling", ["HTTPS://127.0.0.1:%d", " https://127.0.0.1:%d/"], ids=["upper-case", "space"])
def test_an_https_odoo_url_however_spelled_is_called_over_tls(spelling):
    """The address check takes HTTPS:// and a space before it: the API key must still go out
    inside TLS, never as plain HTTP."""
    received = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)

        def listen():
            with server.accept()[0] as connection:
                connection.settimeout(10)
                received.append(connection.recv(65536))  # then hang up, before any answer

        listener = threading.Thread(target=listen)
        listener.start()
        config = from_environment({"ODOO_URL": spelling % server.getsockname()[1], "ODOO_DB": "assoc",
                                   "ODOO_LOGIN": "feedback", "ODOO_API_KEY": "the-odoo-api-key",
                                   "ODOO_CONNECT_TIMEOUT": "2", "ODOO_READ_TIMEOUT": "2"}, "/nowhere")
        with pytest.raises(OSError):
            OdooClient.from_config(config).login()
        listener.join(10)
    assert received[0].startswith(b"\x16\x03"), received[0][:60]  # a TLS handshake
    assert b"the-odoo-api-key" not in received[0]
