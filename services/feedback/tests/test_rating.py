"""The rating page as a beneficiary meets it: GET never records, POST records once."""

import datetime
import re
import time

import pytest
from sqlalchemy import func, select

from feedback import db
from feedback import rating as rating_page
from feedback.models import OutboxItem, Rating
from feedback.tokens import LATE_SEND_SECONDS, sign_token, verify_token

from helpers import SECRET, ServiceClock, csrf_from, make_token, rate


def stored(app):
    with app.app_context():
        session = db.session()
        return session.scalar(select(func.count(Rating.id))), session.scalar(select(func.count(OutboxItem.id)))


def test_page_opens_in_arabic_right_to_left(client, token):
    response = client.get("/r/%s" % token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "كيف كانت خدمتنا؟" in html
    assert "REQ/2026/00001" in html
    for word in ("سيئ جدًا", "سيئ", "مقبول", "جيد", "ممتاز"):
        assert word in html


@pytest.mark.parametrize(
    "query, headers",
    [("?lang=en", {}), ("", {"Accept-Language": "en-GB,en;q=0.9"})],
    ids=["query", "browser-language"],
)
def test_english_on_request(client, token, query, headers):
    html = client.get("/r/%s%s" % (token, query), headers=headers).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "How was our service?" in html
    assert "Very bad" in html and "Excellent" in html


def test_arabic_when_the_browser_asks_for_a_language_we_do_not_have(client, token):
    html = client.get("/r/%s" % token, headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert 'lang="ar"' in html


def test_page_lists_the_policy_questions_and_a_comment(client, token):
    html = client.get("/r/%s?lang=en" % token).get_data(as_text=True)
    for code in ("respect", "time", "clarity", "promptness", "overall"):
        for value in range(1, 6):
            assert 'name="%s" value="%d"' % (code, value) in html
    assert "received politely and respectfully" in html
    assert 'maxlength="1000"' in html
    assert html.count('name="rating"') == 5


def test_get_records_nothing(app, client, token):
    for _ in range(3):
        assert client.get("/r/%s" % token).status_code == 200
    assert stored(app) == (0, 0)


def test_page_has_no_script_and_is_small(client, token):
    page = client.get("/r/%s" % token)
    with client.get("/static/feedback.css") as css:
        css_size = len(css.data)
    html = page.get_data(as_text=True).lower()
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and the like
    assert css_size > 1000
    assert len(page.data) + css_size < 20 * 1024


def test_a_rating_is_recorded_with_its_outbox_row(app, client, token):
    response = rate(client, token, rating=4, respect=5, clarity=3, comment="  شكرًا\r\nللفريق  ")
    assert response.status_code == 200
    assert "شكرًا لك!" in response.get_data(as_text=True)
    with app.app_context():
        rating = db.session().scalars(select(Rating)).one()
        assert (rating.request_ref, rating.rating) == ("REQ/2026/00001", 4)
        assert rating.answers == {"respect": 5, "clarity": 3}
        assert rating.comment == "شكرًا\nللفريق"
        assert rating.outbox.state == "pending" and rating.outbox.token == token
        assert token not in (rating.token_sha256, rating.request_ref)


def test_second_submission_is_already_rated_and_changes_nothing(app, client, token):
    rate(client, token, rating=2)
    again = rate(client, token, rating=5, comment="changed my mind")
    assert again.status_code == 200
    assert "تم تقييم هذا الطلب من قبل" in again.get_data(as_text=True)
    assert stored(app) == (1, 1)
    with app.app_context():
        assert db.session().scalar(select(Rating.rating)) == 2


def test_a_reprinted_link_for_a_rated_request_is_already_rated(app, client, token):
    rate(client, token, rating=5)
    reprint = sign_token(SECRET, "REQ/2026/00001", int(time.time()) + 90 * 86400)
    assert reprint != token
    page = client.get("/r/%s?lang=en" % reprint)
    assert "already been rated" in page.get_data(as_text=True)
    assert 'name="rating"' not in page.get_data(as_text=True)
    response = client.post("/r/%s?lang=en" % reprint, data={"rating": "1"})
    assert "already been rated" in response.get_data(as_text=True)
    assert stored(app) == (1, 1)


def test_expired_link_gets_410_and_stores_nothing(app, client):
    expired = sign_token(SECRET, "REQ/2026/00002", int(time.time()) - 1)
    page = client.get("/r/%s" % expired)
    assert page.status_code == 410
    assert "انتهت صلاحية هذا الرابط" in page.get_data(as_text=True)
    assert client.post("/r/%s" % expired, data={"rating": "5"}).status_code == 410
    assert stored(app) == (0, 0)


def _open_then_expire(client, clock, ref, left=60, then=600):
    """Open the form of a link with `left` seconds to live, then let `then` seconds pass."""
    link = sign_token(SECRET, ref, int(clock.now) + left)
    csrf = csrf_from(client.get("/r/%s" % link))
    clock.now += then
    return link, csrf


def test_a_form_opened_before_its_link_expired_can_still_be_sent(app, client, monkeypatch):
    clock = ServiceClock(monkeypatch)
    link, csrf = _open_then_expire(client, clock, "REQ/2026/00003")
    assert app.test_client().get("/r/%s" % link).status_code == 410, "the link itself has expired"
    reloaded = client.get("/r/%s" % link)  # a phone that reloads the page it had open
    assert reloaded.status_code == 200 and 'name="rating"' in reloaded.get_data(as_text=True)
    response = client.post("/r/%s?lang=en" % link, data={"csrf_token": csrf, "rating": "4", "comment": "Kind staff"})
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    assert stored(app) == (1, 1)


def test_a_late_form_is_refused_after_a_day(app, client, monkeypatch):
    clock = ServiceClock(monkeypatch)
    link, csrf = _open_then_expire(client, clock, "REQ/2026/00003", then=60 + LATE_SEND_SECONDS)
    assert client.get("/r/%s" % link).status_code == 410
    response = client.post("/r/%s?lang=en" % link, data={"csrf_token": csrf, "rating": "4"})
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    assert stored(app) == (0, 0)


def test_a_form_sent_in_the_last_second_is_stamped_within_it(app, client, monkeypatch):
    """Odoo checks the link again at the rating's time: the service stamps the moment at which it
    accepted the form, so a rating it thanked in the last second of the late day is one Odoo takes."""
    clock = ServiceClock(monkeypatch)
    link, csrf = _open_then_expire(client, clock, "REQ/2026/00005", then=0)
    expires_at = int(clock.now) + 60
    # The clock reads 0.25 s before the end of the late day, and in the next second at any later
    # reading: a stamp taken after the check would fall there.
    readings = iter([expires_at + LATE_SEND_SECONDS - 0.25])
    monkeypatch.setattr(rating_page, "_now", lambda: next(readings, expires_at + LATE_SEND_SECONDS + 0.5))
    response = client.post("/r/%s" % link, data={"csrf_token": csrf, "rating": "3"})
    assert response.status_code == 200
    with app.app_context():
        submitted_at = db.session().scalar(select(Rating.submitted_at))
    moment = submitted_at.replace(tzinfo=datetime.timezone.utc).timestamp()
    assert moment == expires_at + LATE_SEND_SECONDS - 1, submitted_at
    # the check Odoo makes on import (docs/feedback-contract.md, "Sending late")
    assert verify_token(SECRET, link, now=moment - LATE_SEND_SECONDS).ref == "REQ/2026/00005"


def test_a_late_form_is_accepted_only_from_the_browser_shown_it(app, client, monkeypatch):
    clock = ServiceClock(monkeypatch)
    link, _csrf = _open_then_expire(client, clock, "REQ/2026/00003")
    other_browser = app.test_client()
    # a working form of its own, from another link that is still valid
    csrf = csrf_from(other_browser.get("/r/%s" % sign_token(SECRET, "REQ/2026/00004", int(clock.now) + 3600)))
    response = other_browser.post("/r/%s" % link, data={"csrf_token": csrf, "rating": "1"})
    assert response.status_code == 410
    assert stored(app) == (0, 0)


def test_a_browser_remembers_the_last_forms_it_was_shown(app, client, monkeypatch):
    clock = ServiceClock(monkeypatch)
    first, csrf = _open_then_expire(client, clock, "REQ/2026/00010", left=3600, then=0)
    for number in range(11, 11 + rating_page.MAX_OPENED - 1):
        client.get("/r/%s" % sign_token(SECRET, "REQ/2026/%05d" % number, int(clock.now) + 3600))
    clock.now += 3600 + 60
    assert client.post("/r/%s" % first, data={"csrf_token": csrf, "rating": "5"}).status_code == 200
    client.get("/r/%s" % sign_token(SECRET, "REQ/2026/00099", int(clock.now) + 3600))
    forgotten, csrf = _open_then_expire(client, clock, "REQ/2026/00100", left=60, then=0)
    for number in range(101, 101 + rating_page.MAX_OPENED):
        client.get("/r/%s" % sign_token(SECRET, "REQ/2026/%05d" % number, int(clock.now) + 3600))
    clock.now += 120
    assert client.post("/r/%s" % forgotten, data={"csrf_token": csrf, "rating": "5"}).status_code == 410
    assert stored(app) == (1, 1)


@pytest.mark.parametrize(
    "bad",
    [
        "nonsense",
        "v1.UkVRLzIwMjYvMDAwMDE.t9pc00.AAAAAAAAAAAAAAAAAAAAAA",
        sign_token("another-secret-entirely-00000000000000", "REQ/2026/00001", int(time.time()) + 3600),
        "%F0%9F%98%80",
        "v1." + "A" * 300,
    ],
    ids=["garbage", "forged", "other-secret", "emoji", "very-long"],
)
def test_forged_or_unknown_link_gets_404_and_stores_nothing(app, client, bad):
    page = client.get("/r/%s?lang=en" % bad)
    assert page.status_code == 404
    assert "This link is not valid" in page.get_data(as_text=True)
    assert client.post("/r/%s" % bad, data={"rating": "5"}).status_code == 404
    assert stored(app) == (0, 0)


def test_altered_link_gets_404(client, token):
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get("/r/%s" % altered).status_code == 404


def test_post_without_csrf_token_is_refused(app, client, token):
    client.get("/r/%s" % token)
    response = client.post("/r/%s?lang=en" % token, data={"rating": "5"})
    assert response.status_code == 400
    assert "Please open the link again" in response.get_data(as_text=True)
    assert stored(app) == (0, 0)


def test_post_with_a_csrf_token_from_another_browser_is_refused(app, token):
    first, second = app.test_client(), app.test_client()
    stolen = csrf_from(first.get("/r/%s" % token))
    second.get("/r/%s" % token)
    assert second.post("/r/%s" % token, data={"rating": "5", "csrf_token": stolen}).status_code == 400
    assert stored(app) == (0, 0)


def test_csrf_token_does_not_expire_after_an_hour(app, client, token, monkeypatch):
    page = client.get("/r/%s" % token)
    later = time.time() + 5 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.post("/r/%s" % token, data={"rating": "3", "csrf_token": csrf_from(page)})
    assert response.status_code == 200
    assert stored(app) == (1, 1)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Please choose a face."),
        ({"rating": "6"}, "Not a valid choice"),
        ({"rating": "abc"}, "Invalid Choice"),
        ({"rating": "3", "respect": "0"}, "Not a valid choice"),
        ({"rating": "3", "comment": "x" * 1001}, "within 1,000 characters"),
    ],
    ids=["no-rating", "out-of-range", "not-a-number", "bad-answer", "long-comment"],
)
def test_bad_form_input_is_explained_and_stores_nothing(app, client, token, fields, message):
    page = client.get("/r/%s?lang=en" % token)
    data = dict(fields, csrf_token=csrf_from(page))
    response = client.post("/r/%s?lang=en" % token, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'name="rating"' in html  # the form is shown again
    assert stored(app) == (0, 0)


def test_form_errors_are_in_arabic_on_the_arabic_page(client, token):
    page = client.get("/r/%s" % token)
    response = client.post("/r/%s" % token, data={"csrf_token": csrf_from(page)})
    assert "يُرجى اختيار أحد الوجوه." in response.get_data(as_text=True)


def test_built_in_form_messages_follow_the_language_of_each_request(client, token):
    # WTForms' catalogue is read once per language: later requests must still get theirs.
    for query, message in [("", "اختيار غير صحيح."), ("", "اختيار غير صحيح."),
                           ("?lang=en", "Not a valid choice."), ("", "اختيار غير صحيح.")]:
        page = client.get("/r/%s%s" % (token, query))
        response = client.post("/r/%s%s" % (token, query), data={"rating": "6", "csrf_token": csrf_from(page)})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_a_comment_of_exactly_1000_characters_is_kept(app, client, token):
    assert rate(client, token, rating=5, comment="ب" * 1000).status_code == 200
    with app.app_context():
        assert len(db.session().scalar(select(Rating.comment))) == 1000


def test_control_characters_are_removed_from_the_comment(app, client, token):
    rate(client, token, rating=5, comment="a\x00b\x07c\td")
    with app.app_context():
        assert db.session().scalar(select(Rating.comment)) == "abc\td"


def test_english_choice_is_kept_when_the_form_is_sent(client, token):
    html = client.get("/r/%s?lang=en" % token).get_data(as_text=True)
    assert 'action="/r/%s?lang=en"' % token in html
    page = client.get("/r/%s?lang=en" % token)
    done = client.post("/r/%s?lang=en" % token, data={"rating": "5", "csrf_token": csrf_from(page)})
    assert "Thank you!" in done.get_data(as_text=True)


def test_two_requests_are_rated_independently(app, client):
    assert "شكرًا لك!" in rate(client, make_token("REQ/2026/00010"), rating=1).get_data(as_text=True)
    assert "شكرًا لك!" in rate(client, make_token("REQ/2026/00011"), rating=5).get_data(as_text=True)
    assert stored(app) == (2, 2)
