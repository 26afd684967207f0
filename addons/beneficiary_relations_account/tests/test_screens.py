"""Every screen of the accounting addon opened in a real browser (see the core addon's
test_screens): each view of each action, each list's first record and its tabs."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.beneficiary_relations.tests.test_screens import ScreensMixin

from .common import FundingCase


@tagged("post_install", "-at_install")
class TestAccountScreens(ScreensMixin, FundingCase, HttpCase):
    def setUp(self):
        super().setUp()
        # a donation funding a posted aid payment, and one in kind, behind the lists
        donation = self._donation(1000, self.rent_only)
        payment = self._payment(self.rent_request, 600)
        self._allocate(donation, payment, 600)
        payment.action_post()
        goods = self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", "expense")], limit=1
        )
        self._donation(250, method="in_kind", debit_account_id=goods.id)
        self.screens_user = self._user("h3_screens", ["accountant", "manager"])
        self.screens_user.write(
            {"password": "screens-test", "groups_id": [Command.link(self.env.ref("account.group_account_manager").id)]}
        )

    def test_every_screen_opens(self):
        self.assertGreaterEqual(self._open_every_screen("beneficiary_relations_account"), 12)

    def test_every_screen_opens_in_arabic(self):
        self._in_arabic(["beneficiary_relations", "beneficiary_relations_account"])
        self.assertGreaterEqual(self._open_every_screen("beneficiary_relations_account"), 12)
