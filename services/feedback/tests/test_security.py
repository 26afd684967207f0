"""Protection: headers, rate limits, size limits, safe logs, and no 500 for anything a visitor sends."""

import hashlib
import logging
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from feedback import create_app, db
from feedback.models import Rating
from feedback.tokens import fingerprint

from helpers import SECRET, count, csrf_from, make_app, make_token, rate


def test_security_headers_on_every_page(client, token):
    for path in ("/r/%s" % token, "/r/not-a-token", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_rating_pages_are_not_cached(client, token):
    assert client.get("/r/%s" % token).headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client, token):
    cookie = client.get("/r/%s" % token).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


HTTPS = {"FEEDBACK_PUBLIC_URL": "https://rate.example.org", "SESSION_COOKIE_SECURE": True}


@pytest.mark.parametrize("app_config", [HTTPS], indirect=True, ids=["https"])
def test_over_https_the_session_cookie_is_a_host_only_secure_cookie(app, client, token):
    base = "https://rate.example.org"
    cookie = client.get("/r/%s" % token, base_url=base).headers["Set-Cookie"]
    assert cookie.startswith("__Host-feedback_session=")
    attributes = [part.strip() for part in cookie.split(";")[1:]]
    # what browsers require of a "__Host-" cookie, or they drop it
    assert "Secure" in attributes and "Path=/" in attributes
    assert not any(part.lower().startswith("domain=") for part in attributes)
    page = client.get("/r/%s" % token, base_url=base)
    response = client.post("/r/%s" % token, base_url=base, data={"csrf_token": csrf_from(page), "rating": "4"})
    assert response.status_code == 200
    assert count(app, Rating) == 1


@pytest.mark.parametrize("spelling", ["HTTPS://rate.example.org", " https://rate.example.org/"],
                         ids=["upper-case", "space"])
def test_an_https_public_url_however_spelled_makes_the_cookie_secure(monkeypatch, tmp_path, token, spelling):
    """The address check takes HTTPS:// and a space before it: the cookie and HSTS must follow."""
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", "sqlite:///%s" % (tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("FEEDBACK_PUBLIC_URL", spelling)
    app = create_app()
    with app.app_context():
        db.upgrade()
    response = app.test_client().get("/r/%s" % token, base_url="https://rate.example.org")
    app.extensions["feedback_db"]["engine"].dispose()
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-feedback_session=") and "Secure" in cookie.split("; ")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    "app_config", [{"FEEDBACK_RATELIMIT_PER_CLIENT": "3 per minute"}], indirect=True, ids=["per-client"]
)
def test_too_many_requests_from_one_client_get_a_429_page(client):
    tokens = [make_token("REQ/2026/%05d" % number) for number in range(4)]
    codes = [client.get("/r/%s" % token).status_code for token in tokens]
    assert codes == [200, 200, 200, 429]
    page = client.get("/r/%s?lang=en" % tokens[0])
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "60"
    # Other clients are not affected.
    other = client.get("/r/%s" % tokens[0], environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "app_config", [{"FEEDBACK_RATELIMIT_PER_CLIENT": "3 per minute"}], indirect=True, ids=["per-client"]
)
def test_an_ipv6_client_is_counted_by_its_64_network(client):
    """An IPv6 subscriber holds a whole /64 and may use a new address of it for every request."""
    tokens = iter(make_token("REQ/2026/%05d" % number) for number in range(400, 420))

    def codes(*addresses):
        return [client.get("/r/%s" % next(tokens), environ_base={"REMOTE_ADDR": address}).status_code
                for address in addresses]

    assert codes("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:abcd::beef", "2001:db8:1:2::ffff") == [
        200, 200, 200, 429]
    assert codes("2001:db8:1:3::1") == [200]  # the next /64 is someone else
    # IPv4 clients seen through an IPv6 socket count one by one, not as one ::/64
    assert codes("::ffff:192.0.2.1", "::ffff:192.0.2.1", "::ffff:192.0.2.1", "::ffff:192.0.2.2") == [200] * 4


@pytest.mark.parametrize(
    "app_config", [{"FEEDBACK_RATELIMIT_PER_TOKEN": "2 per minute"}], indirect=True, ids=["per-token"]
)
def test_too_many_requests_for_one_token_get_a_429_page(client, token):
    addresses = ["127.0.0.%d" % number for number in (11, 12, 13)]
    codes = [client.get("/r/%s" % token, environ_base={"REMOTE_ADDR": address}).status_code for address in addresses]
    assert codes == [200, 200, 429]
    assert client.get("/r/%s" % make_token("REQ/2026/00099")).status_code == 200


def test_health_endpoints_are_not_rate_limited(app):
    app.config["FEEDBACK_RATELIMIT_PER_CLIENT"] = "1 per minute"
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5


def test_oversized_request_gets_a_413_page(app, client, token):
    response = client.post("/r/%s?lang=en" % token, data={"rating": "5", "comment": "x" * 40000})
    assert response.status_code == 413
    assert "too long" in response.get_data(as_text=True)


def test_wrong_method_gets_a_translated_page(client, token):
    response = client.put("/r/%s" % token)
    assert response.status_code == 405
    assert "غير مسموح" in response.get_data(as_text=True)


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "هذا الرابط غير صالح" in response.get_data(as_text=True)


def test_logs_never_hold_a_whole_token_or_the_secret(app, client, token, caplog):
    caplog.set_level(logging.DEBUG)
    rate(client, token, rating=5)
    client.get("/r/%s" % (token[:-2] + "AA"))
    client.get("/r/%s" % make_token("REQ/2026/00002", days=-1))
    assert "rating recorded token=~%s" % fingerprint(token, SECRET) in caplog.text
    assert "REQ/2026/00001" not in caplog.text  # no reference beside the address in the access log
    assert token not in caplog.text
    assert token[-22:] not in caplog.text  # not even its MAC
    assert SECRET not in caplog.text
    # and the fingerprint matches nothing the database holds: logs and database together do not
    # tie a client address to a rating
    with app.app_context():
        stored = db.session().scalar(select(Rating.token_sha256))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert fingerprint(token, SECRET) not in stored


def test_a_links_log_lines_cannot_be_found_with_the_link_alone(token):
    """Whoever holds a link (a pending outbox row, the link in Odoo) and the logs would find the
    link's lines, and the client address beside them: the fingerprint takes the secret too."""
    assert re.fullmatch("[0-9a-f]{12}", fingerprint(token, SECRET))
    assert fingerprint(token, SECRET) != fingerprint(token, SECRET + "-other")


def test_unexpected_errors_are_logged_without_the_token(app, client, token, caplog, monkeypatch):
    from feedback import rating

    def broken(_ref):
        raise RuntimeError("boom")

    monkeypatch.setattr(rating, "_already_rated", broken)
    response = client.get("/r/%s?lang=en" % token)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
    assert "RuntimeError: boom" in caplog.text
    assert token not in caplog.text


visitor_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=visitor_text, query=visitor_text, rating=visitor_text, comment=visitor_text, question=visitor_text)
def test_no_input_gives_a_500(tmp_path_factory, path, query, rating, comment, question):
    app = _fuzz_app(tmp_path_factory)
    client = app.test_client()
    token = make_token("REQ/2026/00001")
    # What a client puts on the wire: percent-encoded UTF-8.
    path, query = quote(path, safe=""), quote(query, safe="=&")
    for target in ("/r/%s" % path, "/r/%s?%s" % (token, query), "/%s" % path):
        assert client.get(target).status_code < 500
    page = client.get("/r/%s" % token)
    assert page.status_code in (200, 429)
    response = client.post(
        "/r/%s?lang=%s" % (token, query[:5]),
        data={"rating": rating, "comment": comment, "respect": question, "csrf_token": question},
    )
    assert response.status_code < 500


_FUZZ_APPS = {}


def _fuzz_app(tmp_path_factory):
    if "app" not in _FUZZ_APPS:
        path = tmp_path_factory.mktemp("fuzz") / "feedback.sqlite3"
        _FUZZ_APPS["app"] = make_app("sqlite:///%s" % path, RATELIMIT_ENABLED=False)
    return _FUZZ_APPS["app"]


@pytest.mark.parametrize("app_config", [{"FEEDBACK_PROXY_COUNT": 1, "FEEDBACK_RATELIMIT_PER_CLIENT": "2 per minute"}],
                         indirect=True, ids=["behind-a-proxy"])
def test_behind_a_proxy_each_beneficiary_is_counted_by_their_own_address(client):
    """The proxy's X-Forwarded-For names the client: two beneficiaries behind one proxy do not
    share a limit, and one who floods gets the 429 alone."""
    tokens = [make_token("REQ/2026/%05d" % number) for number in range(300, 306)]
    first = [client.get("/r/%s" % t, headers={"X-Forwarded-For": "198.51.100.7"}).status_code for t in tokens[:3]]
    other = [client.get("/r/%s" % t, headers={"X-Forwarded-For": "203.0.113.9"}).status_code for t in tokens[3:5]]
    assert first == [200, 200, 429] and other == [200, 200]


@pytest.mark.parametrize("app_config", [{"FEEDBACK_PROXY_COUNT": 1}], indirect=True, ids=["behind-a-proxy"])
def test_a_forwarded_host_from_the_client_is_not_trusted(client, token):
    """A redirect (here: a doubled slash) names the host the proxy sent, never one a client
    slipped into X-Forwarded-Host."""
    response = client.get("/r//%s" % token, headers={"X-Forwarded-Host": "evil.example",
                                                      "X-Forwarded-Proto": "https"})
    assert response.status_code in (301, 308)
    assert "evil.example" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/r/%s" % token)
