"""What the accounting tests share: the core addon's association, roles and
committee (RequestCase), a chart of accounts with the donation and aid
settings, restrictions, donors, and approved requests reached through the
committee's vote."""

from odoo import Command, fields
from odoo.tools.misc import formatLang

from odoo.addons.beneficiary_relations.tests.common_request import RequestCase


class FundingCase(RequestCase):
    @classmethod
    def _test_company(cls):
        # an association of its own, so that the demo's donations take no part
        return cls.env["res.company"].create({"name": "Funding Test Association"})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company._beneficiary_default_accounting()
        cls.currency = cls.company.currency_id
        cls.rent = cls.env["beneficiary.aid.type"].create({"name": "Rent (test)", "company_id": cls.company.id})
        cls.medicines = cls.env["beneficiary.aid.type"].create(
            {"name": "Medicines (test)", "company_id": cls.company.id}
        )
        cls.winter = cls.env["beneficiary.program"].create({"name": "Winter (test)", "company_id": cls.company.id})
        Restriction = cls.env["beneficiary.fund.restriction"]
        cls.rent_only = Restriction.create(
            {"name": "Rent fund (test)", "company_id": cls.company.id, "aid_type_ids": [Command.set(cls.rent.ids)]}
        )
        cls.medicines_only = Restriction.create(
            {
                "name": "Medicines fund (test)",
                "company_id": cls.company.id,
                "aid_type_ids": [Command.set(cls.medicines.ids)],
            }
        )
        cls.winter_only = Restriction.create(
            {"name": "Winter fund (test)", "company_id": cls.company.id, "program_id": cls.winter.id}
        )
        cls.donor = cls.env["res.partner"].create({"name": "Generous Donor (test)"})
        cls.other_donor = cls.env["res.partner"].create({"name": "Second Donor (test)"})
        cls.landlord = cls.env["res.partner"].create({"name": "Landlord (test)", "is_company": True})

    def setUp(self):
        super().setUp()
        self.rent_request = self._approved_request(self.rent, 5000)
        self.medicines_request = self._approved_request(self.medicines, 1500)

    def _approved_request(self, aid_type, amount, program=None):
        """A request approved by the committee: the officer's steps, two
        approvals out of three members, the chair closes the vote."""
        request = self._request(aid_type_id=aid_type.id, requested_amount=amount, program_id=program.id if program else False)
        self._advance(request, "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        self.assertEqual(request.decision, "approved")
        return request

    def _donation(self, amount, restriction=None, days_ago=0, confirm=True, **values):
        donation = self.env["beneficiary.donation"].create(
            {
                "donor_id": self.donor.id,
                "company_id": self.company.id,
                "amount": amount,
                "restriction_id": restriction.id if restriction else False,
                "date": fields.Date.subtract(self.today, days=days_ago),
                **values,
            }
        )
        if confirm:
            donation.action_confirm()
        return donation

    def _payment(self, request, amount, **values):
        return self.env["beneficiary.disbursement"].create(
            {"request_id": request.id, "amount": amount, **values}
        )

    def _allocate(self, donation, payment, amount):
        return self.env["beneficiary.aid.allocation"].create(
            {"donation_id": donation.id, "disbursement_id": payment.id, "amount": amount}
        )

    def _money(self, amount):
        """An amount as the messages print it."""
        return formatLang(self.env, amount, currency_obj=self.currency)
