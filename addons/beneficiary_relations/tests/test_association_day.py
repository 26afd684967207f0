from datetime import date, timedelta, timezone

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..policy import local_day, saudi_id
from .common_request import SIGNATURE, RequestCase

# 22:30 UTC on 22 November: 01:30 on 23 November in Riyadh, still the 22nd in
# London and in UTC, the zone Odoo falls back to for a user without a preference.
LATE_EVENING_UTC = "2026-11-22 22:30:00"
RIYADH_DAY = date(2026, 11, 23)


@tagged("post_install", "-at_install")
class TestAssociationDay(RequestCase):
    """The dates a request records and the deadline it is counted against are
    the association's days, whatever the time-zone preference of the staff
    member who pressed the button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chair.tz = "Europe/London"
        cls.member_2.tz = "America/New_York"
        cls.officer.tz = False

    def _received_by_officer(self):
        """A request the officer (no time-zone preference) enters now."""
        values = {
            "beneficiary_id": self.beneficiary.id,
            "channel_id": self.channel.id,
            "aid_type_id": self.aid_type.id,
            "officer_id": self.officer.id,
        }
        return self.env["beneficiary.request"].with_user(self.officer).create(values)

    def test_late_evening_utc_is_already_tomorrow_for_every_step(self):
        with freeze_time(LATE_EVENING_UTC):
            request = self._received_by_officer()
            self.assertEqual(request.submitted_date, RIYADH_DAY, "an officer without a preference")
            request = self._advance(request.with_env(self.env), "verified")
            request.declaration_signature = SIGNATURE
            request.with_user(self.officer).action_sign_declaration()
            self.assertEqual(request.declaration_date, RIYADH_DAY)
            request = self._advance(request, "committee")
            self.assertEqual(request.committee_submitted_date, RIYADH_DAY)
            self._vote(request, self.chair, "approve")
            self._vote(request, self.member_2, "approve")
            request.with_user(self.chair).action_close_vote()
            self.assertEqual(request.decision_date, RIYADH_DAY, "a chair whose preference says London")
            self.assertEqual(request.decision_days, 0)
            request.delivered_description = "Rent paid to the landlord"
            request.with_user(self.officer).action_deliver()
            self.assertEqual(request.delivery_date, RIYADH_DAY)

    def test_the_deadline_day_ends_at_midnight_in_riyadh(self):
        request = self._advance(self._request(), "committee")
        request.committee_submitted_date = date(2026, 11, 8)
        self.assertEqual(request.decision_deadline, date(2026, 11, 22))
        for moment, urgency, overdue in (
            ("2026-11-22 20:59:00", "due_soon", False),
            ("2026-11-22 21:00:00", "overdue", True),
        ):
            with freeze_time(moment), self.subTest(moment=moment):
                # the daily round refreshes the stored flag the "Overdue" filter searches
                self.env["beneficiary.request"]._cron_overdue_digest()
                for user in (self.officer, self.chair, self.member_2):
                    request.invalidate_recordset(["urgency", "days_remaining"])
                    seen = request.with_user(user)
                    self.assertEqual(seen.urgency, urgency, user.tz)
                    self.assertEqual(seen.is_overdue, overdue, user.tz)
                    found = seen.search([("id", "=", request.id), ("is_overdue", "=", True)])
                    self.assertEqual(bool(found), overdue, user.tz)

    def test_the_daily_round_runs_just_after_midnight_in_riyadh(self):
        cron = self.env.ref("beneficiary_relations.ir_cron_request_overdue_digest")
        riyadh = cron.nextcall.replace(tzinfo=timezone.utc).astimezone(local_day.zone())
        self.assertEqual((riyadh.hour, riyadh.minute), (0, 5))
        self.assertLessEqual(cron.nextcall - fields.Datetime.now(), timedelta(days=1))

    def test_an_association_elsewhere_sets_its_own_zone(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.beneficiary_tz, "Asia/Riyadh")
        settings.beneficiary_tz = "America/New_York"
        settings.execute()
        self.assertEqual(self.company.beneficiary_tz, "America/New_York")
        # 02:00 UTC on 23 November: 05:00 that day in Riyadh, 21:00 the day before in New York
        with freeze_time("2026-11-23 02:00:00"):
            self.assertEqual(self._received_by_officer().submitted_date, date(2026, 11, 22))

    def test_a_new_association_counts_in_riyadh_whoever_creates_it(self):
        created = self.env["res.company"].with_context(tz="Europe/London").create({"name": "Third Association (test)"})
        self.assertEqual(created.beneficiary_tz, "Asia/Riyadh")

    def test_each_association_counts_its_requests_in_its_own_zone(self):
        self.other_company.beneficiary_tz = "America/New_York"
        beneficiary_b = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Applicant Abroad",
                "identity_number": saudi_id.complete("234567891"),
                "company_id": self.other_company.id,
            }
        )
        aid_type_b = self.env["beneficiary.aid.type"].create(
            {"name": "Medicines (test)", "company_id": self.other_company.id}
        )
        riyadh = self._request()
        new_york = self._request(
            beneficiary_id=beneficiary_b.id, company_id=self.other_company.id, aid_type_id=aid_type_b.id, officer_id=False
        )
        (riyadh | new_york).write({"committee_submitted_date": date(2026, 11, 8), "answer_days": 14})
        self.assertEqual(set((riyadh | new_york).mapped("decision_deadline")), {date(2026, 11, 22)})
        # 21:00 UTC on the deadline: midnight in Riyadh, 16:00 in New York
        with freeze_time("2026-11-22 21:00:00"):
            self.env["beneficiary.request"]._cron_overdue_digest()
            (riyadh | new_york).invalidate_recordset(["urgency", "days_remaining"])
            self.assertEqual((riyadh.urgency, new_york.urgency), ("overdue", "due_soon"))
            self.assertEqual((riyadh.is_overdue, new_york.is_overdue), (True, False))

    def test_a_request_received_on_new_years_night_is_numbered_in_the_new_year(self):
        # 22:00 UTC on 31 December 2026 is 01:00 on 1 January 2027 in Riyadh
        with freeze_time("2026-12-31 22:00:00"):
            request = self._received_by_officer()
        self.assertEqual(request.submitted_date, date(2027, 1, 1))
        self.assertRegex(request.name, r"^REQ/2027/\d{5}$")
