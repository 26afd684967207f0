"""Every screen of the addon opened in a real browser: each view of each of its menus'
actions, the form of the first record of each list, and each tab of that form.

Odoo validates a view's arch when the addon is installed, but not whether each field's
widget can show that field: a stars widget on a whole number passed validation and crashed
the web client on the rating's form and list. Only rendering finds that."""

import shutil
import unittest

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_feedback import FeedbackCase

VIEW_CLASS = {
    "list": ".o_list_view",
    "kanban": ".o_kanban_view",
    "form": ".o_form_view",
    "graph": ".o_graph_view",
    "pivot": ".o_pivot_view",
    "activity": ".o_activity_view",
    "calendar": ".o_calendar_view",
}

# Waits for the view; on a list, opens its first record; on a form, clicks each tab in turn.
# Fails on Odoo's error dialog, or when a step shows nothing in 20 s (Odoo's test browser also
# fails on any uncaught error in the page).
VISIT = """
(function () {
    const view = %(view)s;
    const openRecord = %(open_record)s;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    async function shown(selector) {
        const started = Date.now();
        while (Date.now() - started < 20000) {
            if (document.querySelector(".o_error_dialog")) {
                throw new Error("the web client showed an error dialog");
            }
            const found = document.querySelector(selector);
            if (found) {
                await sleep(150);  // a widget that fails after the first paint
                if (document.querySelector(".o_error_dialog")) {
                    throw new Error("the web client showed an error dialog");
                }
                return found;
            }
            await sleep(100);
        }
        throw new Error("nothing showed for " + selector);
    }
    async function everyTab() {
        const tabs = [...document.querySelectorAll(".o_form_view .o_notebook a.nav-link")];
        for (const tab of tabs) {
            tab.click();
            await shown(".o_form_view .o_notebook .tab-pane.active");
        }
        return tabs.length;
    }
    (async function () {
        await shown(view);
        const direction = getComputedStyle(document.body).direction;
        if (direction !== %(direction)s) {
            throw new Error("the screen is drawn " + direction + ", not " + %(direction)s);
        }
        let opened = "";
        if (view === ".o_list_view" && openRecord) {
            const cell = document.querySelector(".o_list_view .o_data_row .o_data_cell");
            if (cell) {
                cell.click();
                await shown(".o_form_view");
                opened = " and its first record";
            }
        }
        if (document.querySelector(".o_form_view")) {
            opened += " (" + (await everyTab()) + " tabs)";
        }
        console.log("opened " + view + opened);
        console.log("test successful");
    })().catch((error) => console.error(error.message));
})();
"""


class ScreensMixin:
    """Opens the screens of a module in the browser of an HttpCase, as ``self.screens_user``."""

    screens_direction = "ltr"

    def _in_arabic(self, modules):
        """The screens user reads Arabic, the ``modules``' own ar.po loaded, and every screen
        must be drawn right to left, as the association's staff see it. Odoo turns its styles
        right to left with rtlcss (scripts/test.sh installs it); without it the screens come out
        left to right."""
        if not shutil.which("rtlcss"):
            self.fail("rtlcss is not on PATH: Odoo would draw the Arabic screens left to right (npm install rtlcss)")
        self.env["res.lang"]._activate_lang("ar_001")
        self.env["ir.module.module"]._load_module_terms(modules, ["ar_001"], overwrite=True)
        self.screens_user.lang = "ar_001"
        self.screens_direction = "rtl"

    def _visit(self, url, view_class, open_record):
        code = VISIT % {
            "view": repr(view_class),
            "open_record": "true" if open_record else "false",
            "direction": repr(self.screens_direction),
        }
        self._in_browser(url, code, self.screens_user, timeout=90)

    def _in_browser(self, url, code, user, timeout):
        """Odoo's ``browser_js``, as ``user``, failing where Odoo would skip."""
        try:
            self.browser_js(url, code, login=user.login, timeout=timeout)
        except unittest.SkipTest as reason:
            # Odoo skips a browser test it cannot start (no Chromium, no websocket-client): a
            # screen never opened is not a screen that works
            self.fail(f"the browser did not run: {reason}")

    def _open_every_screen(self, module):
        data = self.env["ir.model.data"].search([("module", "=", module), ("model", "=", "ir.actions.act_window")])
        actions = self.env["ir.actions.act_window"].browse(data.mapped("res_id"))
        self.assertTrue(actions, f"{module} has no window action")
        xmlids = actions.get_external_id()
        opened = 0
        for action in actions:
            modes = action.view_mode.split(",")
            for view_type in modes:
                if view_type not in VIEW_CLASS:
                    continue
                if view_type == "form" and len(modes) > 1:
                    continue  # reached from the list, on a real record
                with self.subTest(action=xmlids[action.id], view=view_type):
                    # a list without a form is edited in place: no record to open
                    self._visit(
                        f"/odoo/action-{xmlids[action.id]}?view_type={view_type}", VIEW_CLASS[view_type], "form" in modes
                    )
                    opened += 1
        return opened


@tagged("post_install", "-at_install")
class TestScreens(ScreensMixin, FeedbackCase, HttpCase):
    def setUp(self):
        super().setUp()
        # records behind the screens that the demo data may not have: a rated, delivered request
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1, comment="<b>Nobody</b> called")])
        self.screens_user = self._user("h2_screens", ["officer", "manager"])
        # the association's settings are for Odoo's administrators
        self.screens_user.write({"password": "screens-test", "groups_id": [Command.link(self.env.ref("base.group_system").id)]})

    def test_every_screen_opens(self):
        self.assertGreaterEqual(self._open_every_screen("beneficiary_relations"), 20)

    def test_every_screen_opens_in_arabic(self):
        self._in_arabic(["beneficiary_relations"])
        self.assertGreaterEqual(self._open_every_screen("beneficiary_relations"), 20)
