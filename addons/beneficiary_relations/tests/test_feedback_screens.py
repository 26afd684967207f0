"""The screens of ratings, opened in a real browser as the manager who follows them up.

The form, the list and the request's delivery tab crashed the web client when an integer
was shown with the stars widget, which takes selections only; view validation does not see
that, a browser does."""

from odoo.tests import HttpCase, tagged

from .test_feedback import FeedbackCase
from .test_screens import ScreensMixin

# Clicks the notebook tab `tab` when given, waits for `selector`; fails on Odoo's error
# dialog or when nothing shows in 20 s. Odoo's test browser also fails on any uncaught
# error in the page.
WAIT_FOR = """
(function () {
    const started = Date.now();
    let clicked = !%(tab)s;
    (function look() {
        const tab = %(tab)s && document.querySelector(".o_notebook a.nav-link[name=" + %(tab)s + "]");
        if (!clicked && tab) {
            tab.click();
            clicked = true;
        }
        if (document.querySelector(".o_error_dialog")) {
            console.error("the web client showed an error dialog");
        } else if (clicked && document.querySelector(%(selector)s)) {
            console.log("test successful");
        } else if (Date.now() - started > 20000) {
            console.error("nothing showed for " + %(selector)s);
        } else {
            setTimeout(look, 100);
        }
    })();
})();
"""


@tagged("post_install", "-at_install")
class TestFeedbackScreens(ScreensMixin, FeedbackCase, HttpCase):
    def _rated(self, answers=None):
        """A delivered request rated 1: its rating carries the manager's follow-up."""
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1, comment="<b>Nobody</b> called", answers=answers or {})])
        followup = request.feedback_ids.activity_ids
        self.assertEqual(len(followup), 1)
        followup.user_id.password = "manager-screens-test"
        return request, followup.user_id

    def _open(self, user, path, selector, tab=None):
        code = WAIT_FOR % {"selector": repr(selector), "tab": repr(tab) if tab else "null"}
        self._in_browser(path, code, user, timeout=60)

    def test_the_manager_opens_the_rating_with_its_follow_up(self):
        request, manager = self._rated()
        self._open(
            manager,
            f"/odoo/action-beneficiary_relations.action_beneficiary_feedback/{request.feedback_ids.id}",
            ".o_form_view .o-mail-Chatter .o-mail-Activity",
        )

    def test_a_question_left_unanswered_is_not_shown_as_a_zero(self):
        request, manager = self._rated(answers={"respect": 2})
        self.assertFalse(request.feedback_ids.answer_time)
        self._open(
            manager,
            f"/odoo/action-beneficiary_relations.action_beneficiary_feedback/{request.feedback_ids.id}",
            ".o_form_view:has(.o_field_widget[name=answer_respect]):not(:has(.o_field_widget[name=answer_time]))",
        )

    def test_the_manager_lists_the_ratings(self):
        _request, manager = self._rated()
        self._open(
            manager,
            "/odoo/action-beneficiary_relations.action_beneficiary_feedback?view_type=list",
            ".o_list_view .o_data_row .o_field_badge",
        )

    def test_the_request_shows_its_rating(self):
        request, manager = self._rated()
        self._open(
            manager,
            f"/odoo/action-beneficiary_relations.action_beneficiary_request/{request.id}",
            ".o_form_view .o_field_widget[name=feedback_rating]",
            tab="delivery",
        )
