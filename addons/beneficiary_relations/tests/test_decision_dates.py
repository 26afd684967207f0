from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..policy import hijri, saudi_id
from .common_request import RequestCase


@tagged("post_install", "-at_install")
class TestDecisionDates(RequestCase):
    """The promised decision date, the overdue flag and the managers' digest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the second association: demo data never touches it, so its digest is exact
        company = cls.other_company
        cls.manager_b = cls._user("h2_manager_b", ["manager"], company=company)
        cls.chair_b = cls._user("h2_chair_b", ["committee"], company=company)
        cls.member_b = cls._user("h2_member_b", ["committee"], company=company)
        cls.committee_b = cls._committee(company, [cls.chair_b, cls.member_b], quorum=1)
        cls.aid_type_b = cls.env["beneficiary.aid.type"].create(
            {"name": "Medicines (test)", "company_id": company.id}
        )
        cls.beneficiary_b = cls.env["beneficiary.beneficiary"].create(
            {
                "name": "Health Applicant",
                "identity_number": saudi_id.complete("234567890"),
                "identity_expiry": cls.today + timedelta(days=300),
                "company_id": company.id,
            }
        )

    def _request_b(self):
        return self._request(
            beneficiary_id=self.beneficiary_b.id,
            company_id=self.other_company.id,
            aid_type_id=self.aid_type_b.id,
            officer_id=False,
        )

    def _decide_b(self, request, value):
        self._vote(request, self.chair_b, value)
        request.with_user(self.chair_b).action_close_vote()

    def _digests(self):
        return self.env["mail.activity"].search(
            [
                ("activity_type_id", "=", self.env.ref("beneficiary_relations.mail_activity_request_overdue_digest").id),
                ("user_id", "=", self.manager_b.id),
            ]
        )

    def test_two_weeks_for_the_housing_association(self):
        request = self._advance(self._request(), "committee")
        self.assertEqual(request.decision_deadline, self.today + timedelta(days=14))
        self.assertEqual(request.answer_days, 14)
        self.assertEqual(request.decision_deadline_hijri, hijri.format_hijri(request.decision_deadline, "en"))
        self.assertEqual(request.urgency, "on_time")
        self.assertFalse(request.is_overdue)

    def test_one_month_for_the_health_association(self):
        request = self._request_b()
        self.assertFalse(request.decision_deadline, "no promise before the submission to the committee")
        self._advance(request, "committee", committee=self.committee_b)
        self.assertEqual(request.decision_deadline, self.today + timedelta(days=30))
        self.assertEqual(request.answer_days, 30)

    def test_changing_the_setting_keeps_the_promise_already_made(self):
        request = self._advance(self._request(), "committee")
        self.company.beneficiary_answer_days = 30
        self.assertEqual(request.decision_deadline, self.today + timedelta(days=14))
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.beneficiary_answer_days, 30)

    def test_urgency_and_overdue_follow_the_deadline(self):
        request = self._advance(self._request(), "committee")
        request.committee_submitted_date = self.today - timedelta(days=12)
        self.assertEqual(request.urgency, "due_soon")
        self.assertEqual(request.days_remaining, 2)
        self.assertFalse(request.is_overdue)
        request.committee_submitted_date = self.today - timedelta(days=15)
        self.assertEqual(request.urgency, "overdue")
        self.assertTrue(request.is_overdue)
        overdue = self.env["beneficiary.request"].search([("is_overdue", "=", True)])
        self.assertIn(request, overdue)

    def test_decision_within_and_after_the_window(self):
        on_time = self._advance(self._request(), "committee")
        late = self._advance(self._request(), "committee")
        late.committee_submitted_date = self.today - timedelta(days=20)
        self.assertTrue(late.is_overdue)
        for request in (on_time, late):
            self._vote(request, self.chair, "approve")
            self._vote(request, self.member_2, "approve")
            request.with_user(self.chair).action_close_vote()
        self.assertTrue(on_time.decided_on_time)
        self.assertEqual(on_time.on_time_rate, 100.0)
        self.assertEqual(on_time.decision_days, 0)
        self.assertFalse(late.decided_on_time)
        self.assertEqual(late.on_time_rate, 0.0)
        self.assertEqual(late.decision_days, 20)
        self.assertFalse(late.is_overdue, "a decided request is no longer overdue")
        self.assertEqual(late.decision_date_hijri, hijri.format_hijri(self.today, "en"))

    def test_daily_cron_flags_overdue_and_keeps_one_digest_per_manager(self):
        request = self._advance(self._request_b(), "committee", committee=self.committee_b)
        other = self._advance(self._request_b(), "committee", committee=self.committee_b)
        housing = self._advance(self._request(), "committee")
        self.assertFalse(request.is_overdue)
        with freeze_time(self.today + timedelta(days=31)):
            self.env["beneficiary.request"]._cron_overdue_digest()
            self.assertTrue(request.is_overdue)
            self.assertTrue(housing.is_overdue)
            digests = self._digests()
            self.assertEqual(len(digests), 1)
            self.assertIn(request.name, digests.note)
            self.assertIn(other.name, digests.note)
            # its researcher reads it too: numbers, no applicant's name
            self.assertNotIn(request.beneficiary_id.name, digests.note)
            self.assertNotIn(other.beneficiary_id.name, digests.note)
            self.assertEqual(digests.note.count("<li>"), 2, "another association's requests stay out")
            self.assertNotIn(housing.beneficiary_id.name, digests.note)
            self.env["beneficiary.request"]._cron_overdue_digest()
            self.assertEqual(self._digests(), digests, "a second run updates the digest, never duplicates it")
            self._decide_b(request, "approve")
            self.env["beneficiary.request"]._cron_overdue_digest()
            self.assertEqual(self._digests(), digests)
            self.assertNotIn(request.name, digests.note)
            self.assertIn(other.name, digests.note)
            # its researcher reads it too: numbers, no applicant's name
            self.assertNotIn(request.beneficiary_id.name, digests.note)
            self.assertNotIn(other.beneficiary_id.name, digests.note)
            self.assertFalse(request.is_overdue)

    def test_digest_disappears_when_nothing_is_overdue(self):
        request = self._advance(self._request_b(), "committee", committee=self.committee_b)
        with freeze_time(self.today + timedelta(days=31)):
            self.env["beneficiary.request"]._cron_overdue_digest()
            self.assertEqual(len(self._digests()), 1)
            self._decide_b(request, "reject")
            self.env["beneficiary.request"]._cron_overdue_digest()
            self.assertFalse(self._digests())

    def test_a_stale_digest_goes_and_the_next_managers_digest_still_comes(self):
        """The daily round once stopped with "Record does not exist" when it had removed one
        manager's digest and went on to the next manager."""
        third = self.env["res.company"].create({"name": "Third Association (test)"})
        # named to come before manager_b in the round, so that their digest is removed first
        manager_a = self._user("h2_manager_a", ["manager"], company=third)
        request = self._advance(self._request_b(), "committee", committee=self.committee_b)
        stale = (
            self.env["mail.activity"]
            .sudo()
            .create(
                {
                    "activity_type_id": self.env.ref("beneficiary_relations.mail_activity_request_overdue_digest").id,
                    "res_model_id": self.env["ir.model"]._get_id("beneficiary.request"),
                    "res_id": request.id,
                    "user_id": manager_a.id,
                    "summary": "Overdue support requests: 1",
                }
            )
        )
        with freeze_time(self.today + timedelta(days=31)):
            self.env["beneficiary.request"]._cron_overdue_digest()
        self.assertFalse(stale.exists(), "nothing of the third association is overdue")
        self.assertIn(request.name, self._digests().note)

    def test_digest_is_written_in_the_managers_language(self):
        self.env["res.lang"]._activate_lang("ar_001")
        self.env["ir.module.module"].search([("name", "=", "beneficiary_relations")])._update_translations(
            ["ar_001"]
        )
        self.manager_b.lang = "ar_001"
        self._advance(self._request_b(), "committee", committee=self.committee_b)
        with freeze_time(self.today + timedelta(days=31)):
            self.env["beneficiary.request"]._cron_overdue_digest()
        digest = self._digests()
        self.assertEqual(digest.summary, "طلبات دعم متأخرة: 1")
        self.assertNotIn("These requests passed", digest.note)
