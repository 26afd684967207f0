from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import Form, TransactionCase, new_test_user
from odoo.tools import mute_logger

from ..policy import saudi_id

GROUP = "beneficiary_relations.group_beneficiary_"


class TestBeneficiary(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.today = cls.company._beneficiary_today()
        cls.other_company = cls.env["res.company"].create({"name": "Second Association (test)"})
        cls.Beneficiary = cls.env["beneficiary.beneficiary"]
        cls.citizen_id = saudi_id.complete("109876543")
        cls.resident_id = saudi_id.complete("254321987")

    def setUp(self):
        super().setUp()
        # The day again for each test: a class whose tests run across midnight in Riyadh
        # (21:00 UTC) would otherwise expect the day it was set up.
        self.today = self.company._beneficiary_today()

    def _create(self, **values):
        values.setdefault("name", "Test Beneficiary")
        values.setdefault("identity_number", self.citizen_id)
        return self.Beneficiary.create(values)

    def _user(self, login, roles, **values):
        groups = ",".join(GROUP + role for role in roles)
        return new_test_user(
            self.env,
            login=login,
            groups=groups,
            company_id=self.company.id,
            company_ids=[self.company.id],
            **values,
        )

    # ID validation ----------------------------------------------------------

    def test_invalid_ids_are_refused_with_the_problem_named(self):
        partners_before = self.env["res.partner"].search_count([])
        cases = [
            ("109876", "has 6 digits; it must have exactly 10"),
            ("10987654321", "has 11 digits"),
            ("3098765430", "must start with 1"),
            (saudi_id.complete("109876543")[:-1] + "0", "does not match the check digit"),
            ("10987A5430", "digits only"),
        ]
        for number, expected in cases:
            with self.subTest(number=number):
                with self.assertRaises(ValidationError) as caught:
                    self._create(name="Invalid ID", identity_number=number)
                self.assertIn(expected, str(caught.exception))
                self.assertIn("Invalid ID", str(caught.exception))
        self.assertFalse(self.Beneficiary.search([("name", "=", "Invalid ID")]))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_writing_an_invalid_id_changes_nothing(self):
        beneficiary = self._create()
        with self.assertRaises(ValidationError):
            beneficiary.write({"identity_number": "1000000007"})
        self.assertEqual(beneficiary.identity_number, self.citizen_id)

    def test_id_type_follows_first_digit(self):
        citizen = self._create()
        resident = self._create(name="Resident", identity_number=self.resident_id)
        self.assertEqual(citizen.identity_type, "national")
        self.assertEqual(resident.identity_type, "iqama")

    def test_arabic_digits_and_spaces_are_stored_as_plain_digits(self):
        arabic = self.citizen_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        beneficiary = self._create(identity_number=f" {arabic[:4]} {arabic[4:]} ")
        self.assertEqual(beneficiary.identity_number, self.citizen_id)

    def test_household_member_id_is_checked_when_given(self):
        beneficiary = self._create()
        member = self.env["beneficiary.family.member"].create(
            {"beneficiary_id": beneficiary.id, "name": "Without ID", "relation": "son"}
        )
        self.assertFalse(member.identity_number)
        with self.assertRaises(ValidationError) as caught:
            self.env["beneficiary.family.member"].create(
                {
                    "beneficiary_id": beneficiary.id,
                    "name": "Nora",
                    "relation": "daughter",
                    "identity_number": "1000000007",
                }
            )
        self.assertIn("Nora", str(caught.exception))
        self.assertIn("check digit", str(caught.exception))
        self.assertEqual(beneficiary.family_member_ids, member)

    # Uniqueness per company -------------------------------------------------

    def _assert_duplicate_refused(self, **values):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as caught:
            self._create(**values)
        # What the user reads: the RPC layer turns the constraint into this message.
        message = str(_as_validation_error(self.env, caught.exception))
        self.assertIn("ID / iqama number is already registered for another beneficiary", message)

    def test_same_id_twice_in_one_company_is_refused(self):
        self._create()
        self._assert_duplicate_refused(name="Someone Else")
        self.assertEqual(self.Beneficiary.search_count([("identity_number", "=", self.citizen_id)]), 1)

    def test_archived_beneficiary_still_holds_its_id(self):
        self._create().action_archive()
        self._assert_duplicate_refused(name="Someone Else")

    def test_same_id_in_another_company_is_allowed(self):
        first = self._create()
        second = self._create(company_id=self.other_company.id)
        self.assertEqual(first.identity_number, second.identity_number)
        self.assertNotEqual(first.company_id, second.company_id)

    # Linked contact ---------------------------------------------------------

    def test_contact_is_created_for_each_beneficiary_and_kept_in_sync(self):
        first, second = self.Beneficiary.create(
            [
                {
                    "name": "Maryam",
                    "identity_number": self.citizen_id,
                    "phone": "0126000001",
                    "mobile": "0551000001",
                    "email": "maryam@example.com",
                },
                {"name": "Saad", "identity_number": self.resident_id},
            ]
        )
        self.assertTrue(first.partner_id)
        self.assertNotEqual(first.partner_id, second.partner_id)
        self.assertEqual(first.partner_id.name, "Maryam")
        self.assertEqual(first.partner_id.phone, "0126000001")
        self.assertEqual(first.partner_id.mobile, "0551000001")
        self.assertEqual(first.partner_id.email, "maryam@example.com")
        self.assertEqual(first.partner_id.company_id, self.company)
        self.assertEqual(second.partner_id.name, "Saad")

        first.write({"name": "Maryam Al-Anazi", "phone": "0126000002", "email": "m.anazi@example.com"})
        self.assertEqual(first.partner_id.name, "Maryam Al-Anazi")
        self.assertEqual(first.partner_id.phone, "0126000002")
        self.assertEqual(first.partner_id.email, "m.anazi@example.com")
        self.assertEqual(second.partner_id.name, "Saad")

    def test_officer_without_contact_rights_registers_a_beneficiary(self):
        officer = self._user("officer_contact", ["officer"])
        self.assertFalse(officer.has_group("base.group_partner_manager"))
        beneficiary = self.Beneficiary.with_user(officer).create(
            {"name": "Registered by an officer", "identity_number": self.citizen_id}
        )
        self.assertEqual(beneficiary.partner_id.name, "Registered by an officer")
        beneficiary.write({"mobile": "0551000009"})
        self.assertEqual(beneficiary.partner_id.mobile, "0551000009")

    # Household and income ---------------------------------------------------

    def test_per_capita_income_counts_the_whole_household(self):
        beneficiary = self._create(
            monthly_income=5000,
            monthly_obligations=1000,
            family_member_ids=[
                Command.create({"name": "Spouse", "relation": "spouse", "monthly_income": 1000}),
                Command.create({"name": "Son", "relation": "son", "occupation_status": "student"}),
            ],
        )
        self.assertEqual(beneficiary.household_size, 3)
        self.assertEqual(beneficiary.household_income, 6000)
        self.assertAlmostEqual(beneficiary.per_capita_income, 5000 / 3, places=2)

        beneficiary.family_member_ids = [Command.create({"name": "Daughter", "relation": "daughter"})]
        self.assertEqual(beneficiary.household_size, 4)
        self.assertEqual(beneficiary.per_capita_income, 1250)

        beneficiary.monthly_obligations = 9000
        self.assertEqual(beneficiary.per_capita_income, 0)

    def test_form_shows_the_household_as_it_is_typed(self):
        form = Form(self.Beneficiary)
        form.name = "Typed in the form"
        form.identity_number = self.resident_id
        form.monthly_income = 4000
        form.monthly_obligations = 1000
        with form.family_member_ids.new() as member:
            member.name = "Spouse"
            member.relation = "spouse"
            member.monthly_income = 2000
        self.assertEqual(form.identity_type, "iqama")
        self.assertEqual(form.household_size, 2)
        self.assertEqual(form.per_capita_income, 2500)
        beneficiary = form.save()
        self.assertEqual(beneficiary.partner_id.name, "Typed in the form")
        self.assertEqual(beneficiary.family_member_ids.name, "Spouse")

    def test_beneficiary_alone_is_a_household_of_one(self):
        beneficiary = self._create(monthly_income=2500, monthly_obligations=500)
        self.assertEqual(beneficiary.household_size, 1)
        self.assertEqual(beneficiary.per_capita_income, 2000)

    def test_negative_income_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(name="Negative", monthly_income=-10)
        self.assertIn("cannot be negative", str(caught.exception))

    # Dates ------------------------------------------------------------------

    def test_hijri_dates_are_shown_beside_gregorian_ones(self):
        beneficiary = self._create(identity_expiry=date(2024, 3, 11), birth_date=date(2023, 9, 25))
        english = beneficiary.with_context(lang="en_US")
        self.assertEqual(english.identity_expiry_hijri, "1 Ramadan 1445 AH")
        self.assertEqual(english.birth_date_hijri, "10 Rabi al-Awwal 1445 AH")
        # In Arabic, in the digits Odoo's web client writes the Gregorian date beside it with.
        self.env["res.lang"]._activate_lang("ar_001")
        arabic = beneficiary.with_context(lang="ar_001")
        self.assertEqual(arabic.identity_expiry_hijri, "١ رمضان ١٤٤٥ هـ")
        self.assertEqual(arabic.birth_date_hijri, "١٠ ربيع الأول ١٤٤٥ هـ")

    def test_expired_id_is_flagged_and_found(self):
        yesterday = self.today - timedelta(days=1)
        expired = self._create(name="Expired", identity_expiry=yesterday)
        valid = self._create(
            name="Valid", identity_number=self.resident_id, identity_expiry=self.today + timedelta(days=30)
        )
        undated = self._create(
            name="Undated", identity_number=saudi_id.complete("111222333"), identity_expiry=False
        )
        self.assertTrue(expired.identity_expired)
        self.assertFalse(valid.identity_expired)
        self.assertFalse(undated.identity_expired)
        mine = expired | valid | undated
        self.assertEqual(self.Beneficiary.search([("id", "in", mine.ids), ("identity_expired", "=", True)]), expired)
        self.assertEqual(
            self.Beneficiary.search([("id", "in", mine.ids), ("identity_expired", "=", False)]), valid | undated
        )

    def test_age_from_birth_date(self):
        today = self.today
        born = date(today.year - 30, 1, 1)
        self.assertEqual(self._create(birth_date=born).age, 30)

    def test_birth_date_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError):
            self._create(birth_date=self.today + timedelta(days=2))

    # Sensitive details ------------------------------------------------------

    def test_sensitive_details_are_hidden_from_accountant_committee_and_officer(self):
        beneficiary = self._create(health_condition="Dialysis", prisoner_case="Debt case")
        for roles in (["accountant"], ["committee"], ["officer"]):
            user = self._user("_".join(roles) + "_sensitive", roles)
            as_user = beneficiary.with_user(user)
            self.assertNotIn("health_condition", as_user.fields_get())
            for field in ("health_condition", "prisoner_case"):
                with self.subTest(roles=roles, field=field):
                    with self.assertRaises(AccessError) as caught:
                        as_user.read([field])
                    # Refused because of the field, not because of the record.
                    self.assertIn(field, str(caught.exception))

    def test_officer_cannot_write_sensitive_details(self):
        officer = self._user("officer_write", ["officer"])
        beneficiary = self._create()
        with self.assertRaises(AccessError):
            beneficiary.with_user(officer).write({"health_condition": "Guessing"})

    def test_manager_reads_sensitive_details(self):
        manager = self._user("manager_sensitive", ["manager"])
        beneficiary = self._create(health_condition="Dialysis", prisoner_case="Debt case")
        values = beneficiary.with_user(manager).read(["health_condition", "prisoner_case"])[0]
        self.assertEqual(values["health_condition"], "Dialysis")
        self.assertEqual(values["prisoner_case"], "Debt case")

    def test_researcher_reads_sensitive_details_of_their_case(self):
        researcher = self._user("researcher_sensitive", ["researcher"])
        beneficiary = self._create(health_condition="Dialysis", prisoner_case="Debt case")
        self.env["beneficiary.request"].create(self._request_values(beneficiary, researcher))
        values = beneficiary.with_user(researcher).read(["health_condition", "prisoner_case"])[0]
        self.assertEqual(values["health_condition"], "Dialysis")
        self.assertEqual(values["prisoner_case"], "Debt case")

    def _request_values(self, beneficiary, researcher):
        """Smallest support request referring ``beneficiary`` to ``researcher``."""
        values = {
            "beneficiary_id": beneficiary.id,
            "researcher_id": researcher.id,
            "company_id": beneficiary.company_id.id,
        }
        if "channel_id" in self.env["beneficiary.request"]._fields:
            values["channel_id"] = self.env.ref("beneficiary_relations.channel_interview").id
        return values

    # Company isolation ------------------------------------------------------

    def test_beneficiaries_of_another_company_are_invisible(self):
        officer = self._user("officer_isolation", ["officer"])
        mine = self._create(name="Ours")
        theirs = self._create(name="Theirs", company_id=self.other_company.id)
        found = self.Beneficiary.with_user(officer).search([("id", "in", (mine | theirs).ids)])
        self.assertEqual(found, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(officer).read(["name"])
        self.assertEqual(theirs.partner_id.company_id, self.other_company)
        self.assertFalse(self.env["res.partner"].with_user(officer).search([("id", "=", theirs.partner_id.id)]))


class TestRegistryConfiguration(TransactionCase):
    def test_the_policy_eight_channels_are_shared_data(self):
        channels = self.env["beneficiary.channel"].search([("company_id", "=", False)])
        self.assertEqual(
            set(channels.mapped("code")),
            {
                "interview",
                "phone",
                "social_media",
                "letter",
                "assistance_request",
                "volunteering",
                "website",
                "branch_representative",
            },
        )

    def test_channel_code_is_unique_among_shared_channels(self):
        Channel = self.env["beneficiary.channel"]
        with self.assertRaises(ValidationError) as caught:
            Channel.create({"name": "Telephone", "code": "phone"})
        self.assertIn("phone", str(caught.exception))
        # An association may define its own channel with the same code.
        company = self.env["res.company"].create({"name": "Digital Association (test)"})
        own = Channel.create({"name": "Telephone", "code": "phone", "company_id": company.id})
        self.assertEqual(own.company_id, company)

    def test_archived_channel_is_hidden_from_choices(self):
        phone = self.env.ref("beneficiary_relations.channel_phone")
        phone.action_archive()
        self.assertNotIn(phone, self.env["beneficiary.channel"].search([]))

    def test_aid_type_maximum_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.env["beneficiary.aid.type"].create({"name": "Rent (test)", "max_amount": -1})
