"""The page in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

Needs /usr/bin/chromium (apt-get install chromium) and npm, which fetches the
pinned axe-core package from the npm registry into a temporary folder (nothing
is committed; FEEDBACK_AXE_JS may point at an axe.min.js instead). Playwright
never downloads a browser here. Without Chromium the tests are skipped, unless
FEEDBACK_BROWSER_TESTS=required (CI sets it), which makes that a failure.
"""

import json
import logging
import os
import shutil
import subprocess
import tarfile
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from feedback import db
from feedback.models import Rating
from feedback.tokens import sign_token

from helpers import SECRET, ServiceClock, make_app, make_token

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
PHONE = {"width": 390, "height": 844}

if not os.path.exists(CHROMIUM):
    if os.environ.get("FEEDBACK_BROWSER_TESTS") == "required":
        raise RuntimeError("FEEDBACK_BROWSER_TESTS=required but %s is missing: apt-get install chromium" % CHROMIUM)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory):
    if os.environ.get("FEEDBACK_AXE_JS"):
        with open(os.environ["FEEDBACK_AXE_JS"], encoding="utf-8") as handle:
            return handle.read()
    npm = shutil.which("npm")
    assert npm, "npm is needed to fetch axe-core"
    folder = tmp_path_factory.mktemp("axe")
    packed = subprocess.run(
        [npm, "pack", "axe-core@%s" % AXE_VERSION, "--pack-destination", str(folder), "--json", "--silent"],
        check=True, capture_output=True, text=True, timeout=300,
    )
    info = json.loads(packed.stdout)[0]
    assert info["integrity"] == AXE_INTEGRITY, "axe-core tarball does not match the pinned integrity"
    with tarfile.open(folder / info["filename"]) as archive:
        return archive.extractfile("package/axe.min.js").read().decode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its request log would print tokens
    database = tmp_path_factory.mktemp("browser") / "feedback.sqlite3"
    app = make_app("sqlite:///%s" % database, TESTING=False, RATELIMIT_ENABLED=False)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, "http://127.0.0.1:%d" % httpd.server_port
    httpd.shutdown()
    thread.join(10)
    app.extensions["feedback_db"]["engine"].dispose()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _page(browser, javascript=True):
    context = browser.new_context(locale="ar-SA", viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def _axe_violations(page, axe_source):
    page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP stays as it is
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [violation for violation in results if violation["impact"] in ("serious", "critical")]


def test_rating_in_arabic_with_javascript_off(server, browser):
    app, base = server
    page = _page(browser, javascript=False)
    page.goto("%s/r/%s" % (base, make_token("REQ/2026/00501")))
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "كيف كانت خدمتنا؟"
    # The faces run right to left: "very bad" is the rightmost.
    first, last = page.locator("label[for=rating-1]").bounding_box(), page.locator("label[for=rating-5]").bounding_box()
    assert first["x"] > last["x"]
    # Without opening the optional questions, everything fits one phone screen.
    button = page.get_by_role("button", name="إرسال التقييم").bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"]
    page.locator("label[for=rating-4]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="إرسال التقييم").click()
    expect(page.locator("h1")).to_have_text("شكرًا لك!")
    assert page.problems == []  # no CSP violation, no failed stylesheet
    with app.app_context():
        assert db.session().scalar(select(Rating.rating).where(Rating.request_ref == "REQ/2026/00501")) == 4
    page.context.close()


def test_a_browser_that_keeps_no_cookie_is_told_what_would_help(server, browser):
    """Cookies blocked: the form cannot pass its CSRF check, however often the link is opened
    again; the page says to allow cookies, in Arabic, and nothing is stored."""
    app, base = server
    page = _page(browser, javascript=False)
    link = "%s/r/%s" % (base, make_token("REQ/2026/00510"))
    page.goto(link)
    page.context.clear_cookies()  # what a browser that blocks cookies does with the session cookie
    page.locator("label[for=rating-2]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="إرسال التقييم").click()
    expect(page.locator("h1")).to_have_text("لم يحتفظ متصفحك بملف تعريف الارتباط (الكوكيز) لهذه الصفحة")
    assert "يُرجى السماح بملفات تعريف الارتباط" in page.locator("main").inner_text()
    with app.app_context():
        assert db.session().scalar(select(Rating.id).where(Rating.request_ref == "REQ/2026/00510")) is None
    page.goto(link)  # cookies allowed again: the same link works
    page.locator("label[for=rating-2]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="إرسال التقييم").click()
    expect(page.locator("h1")).to_have_text("شكرًا لك!")
    page.context.close()


def test_a_form_left_open_past_its_link_expiry_is_still_taken(server, browser, monkeypatch):
    """The link had a minute left when the page opened; an hour later the phone reloads the page
    and the beneficiary sends it. The same link opened on another phone gets the expired page."""
    app, base = server
    clock = ServiceClock(monkeypatch)
    link = "%s/r/%s" % (base, sign_token(SECRET, "REQ/2026/00520", int(clock.now) + 60))
    page = _page(browser, javascript=False)
    page.goto(link)
    clock.now += 3600
    page.reload()
    page.locator("label[for=rating-3]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="إرسال التقييم").click()
    expect(page.locator("h1")).to_have_text("شكرًا لك!")
    with app.app_context():
        assert db.session().scalar(select(Rating.rating).where(Rating.request_ref == "REQ/2026/00520")) == 3
    page.context.close()
    other_phone = _page(browser, javascript=False)
    other_phone.goto(link)
    expect(other_phone.locator("h1")).to_have_text("انتهت صلاحية هذا الرابط")
    other_phone.context.close()


def test_touch_targets_keyboard_and_accessibility(server, browser, axe_source):
    _app, base = server
    page = _page(browser)
    page.goto("%s/r/%s" % (base, make_token("REQ/2026/00502")))
    page.locator("summary").click()  # open the optional questions
    for label in page.locator(".row label").all():
        box = label.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, label.inner_text()
    assert _axe_violations(page, axe_source) == []
    # Keyboard only: Tab to the faces, pick one with the space bar, Tab on to the button, Enter.
    page.goto("%s/r/%s" % (base, make_token("REQ/2026/00502")))
    page.keyboard.press("Tab")  # language link
    page.keyboard.press("Tab")  # first face
    page.keyboard.press("Space")
    assert page.locator("#rating-1").is_checked()
    page.locator("#comment").focus()
    page.keyboard.type("خدمة جيدة")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("شكرًا لك!")
    assert _axe_violations(page, axe_source) == []
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("path", ["/r/%s?lang=en", "/r/not-a-valid-link"], ids=["english", "not-found"])
def test_other_pages_pass_axe(server, browser, axe_source, path):
    _app, base = server
    page = _page(browser)
    page.goto(base + (path % make_token("REQ/2026/00503") if "%s" in path else path))
    assert _axe_violations(page, axe_source) == []
    page.context.close()
