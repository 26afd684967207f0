"""Pages rendered once per language: what a visitor gets is exactly what the template renders."""

import pytest
from flask import render_template

from feedback import errors, pages, rating

from helpers import csrf_from, make_token, rate

# A reference may hold any printable ASCII: these must come out escaped, in the cached page too.
ODD_REF = 'R<b>&"\'/1'


def _fresh_form(app, path, headers, token, ref, csrf):
    """The rating form as its template renders it, for the same request, without any cache."""
    with app.test_request_context(path, headers=headers):
        return rating._render_form(ref, token, csrf)


@pytest.mark.parametrize(
    ("query", "headers"),
    [("", {}), ("?lang=en", {}), ("?lang=ar", {}), ("", {"Accept-Language": "en-GB,en;q=0.9"}), ("?lang=xx", {})],
    ids=["arabic-by-default", "english-chosen", "arabic-chosen", "english-by-browser", "unknown-language"],
)
@pytest.mark.parametrize("ref", ["REQ/2026/00001", ODD_REF], ids=["plain-ref", "ref-with-markup"])
def test_the_rating_form_is_what_its_template_renders(app, client, query, headers, ref):
    for number in range(3):  # the first view fills the cache, the next ones use it
        token = make_token(ref if number == 0 else "%s-%d" % (ref, number))
        path = "/r/%s%s" % (token, query)
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        expected = _fresh_form(app, path, headers, token, ref if number == 0 else "%s-%d" % (ref, number),
                               csrf_from(response))
        assert html == expected
    if ref == ODD_REF:
        assert "R<b>" not in html and "R&lt;b&gt;&amp;&#34;&#39;/1" in html


def test_languages_do_not_leak_into_each_other(client):
    pages_seen = [client.get("/r/%s%s" % (make_token("REQ/2026/%05d" % n), lang)).get_data(as_text=True)
                  for n, lang in enumerate(["", "?lang=en", "", "?lang=en"])]
    assert ['<html lang="ar" dir="rtl">' in page for page in pages_seen] == [True, False, True, False]
    assert ['<html lang="en" dir="ltr">' in page for page in pages_seen] == [False, True, False, True]
    assert all("Send my rating" in page for page in pages_seen[1::2])
    assert all("إرسال التقييم" in page for page in pages_seen[::2])


def test_each_page_carries_its_own_link_and_csrf_token(app, client):
    first, second = make_token("REQ/2026/00001"), make_token("REQ/2026/00002")
    page_one, page_two = client.get("/r/%s" % first), client.get("/r/%s" % second)
    html_one, html_two = page_one.get_data(as_text=True), page_two.get_data(as_text=True)
    assert 'action="/r/%s"' % first in html_one and second not in html_one
    assert 'action="/r/%s"' % second in html_two and first not in html_two
    assert "REQ/2026/00001" in html_one and "REQ/2026/00002" in html_two
    # Another browser (another session) gets another CSRF token for the same link.
    other_browser = app.test_client()
    assert csrf_from(other_browser.get("/r/%s" % first)) != csrf_from(page_one)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_thank_you_and_already_rated_pages_are_what_their_template_renders(app, client, lang):
    token = make_token("REQ/2026/00001")
    client.get("/r/%s?lang=%s" % (make_token("REQ/2026/00009"), lang))  # a page view in the other cache entries
    thanks = client.post("/r/%s?lang=%s" % (token, lang),
                         data={"csrf_token": csrf_from(client.get("/r/%s?lang=%s" % (token, lang))), "rating": "4"})
    already = client.get("/r/%s?lang=%s" % (token, lang))
    with app.test_request_context("/r/%s?lang=%s" % (token, lang)):
        assert thanks.get_data(as_text=True) == render_template("rating/done.html", already=False)
        assert already.get_data(as_text=True) == render_template("rating/done.html", already=True)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_error_pages_are_what_their_template_renders(app, client, lang):
    for code, path in [(404, "/r/not-a-token"), (410, "/r/%s" % make_token("REQ/1", days=-1)), (405, None)]:
        response = client.put("/r/%s?lang=%s" % (make_token("REQ/2"), lang)) if code == 405 else client.get(
            "%s?lang=%s" % (path, lang))
        assert response.status_code == code
        with app.test_request_context("/?lang=%s" % lang):
            assert response.get_data(as_text=True) == errors._error_page(code)


def test_the_cache_stays_small(app):
    store = app.extensions["feedback_pages"]
    with app.test_request_context("/r/x"):
        for number in range(pages.MAX_ENTRIES * 3):
            pages.once(("probe", number), lambda: "page")
    assert 0 < len(store.entries) <= pages.MAX_ENTRIES


def test_a_form_template_without_its_slots_is_refused_not_served_half_filled(app):
    with app.test_request_context("/r/x"), pytest.raises(RuntimeError, match="slots"):
        pages.blank_form(lambda ref, token, csrf: "<p>%s</p>" % ref, "no-slots", "REQ/1", "t", "c")


def test_a_stored_rating_still_shows_the_thank_you_page(app, client):
    response = rate(client, make_token("REQ/2026/00003"), rating=5)
    assert response.status_code == 200 and "شكرًا" in response.get_data(as_text=True)
