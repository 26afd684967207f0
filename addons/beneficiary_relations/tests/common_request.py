"""What the support-request tests share: two associations, one user per role, a
committee, an aid type with required documents, and helpers that walk a request
through the policy's steps with the same buttons a user clicks."""

import base64
from datetime import timedelta

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from ..policy import saudi_id

GROUP = "beneficiary_relations.group_beneficiary_"
# A 1x1 PNG: what the signature widget stores is an image.
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082"
    )
)
FILE = base64.b64encode(b"%PDF-1.4 test document")


class RequestCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._test_company()
        if cls.company != cls.env.company:
            cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        # the association's day, which the buttons record whoever presses them
        cls.today = cls.company._beneficiary_today()
        cls.company.beneficiary_answer_days = 14
        cls.other_company = cls.env["res.company"].create(
            {"name": "Second Association (test)", "beneficiary_answer_days": 30}
        )
        cls.officer = cls._user("h2_officer", ["officer"])
        cls.researcher = cls._user("h2_researcher", ["researcher"])
        cls.other_researcher = cls._user("h2_researcher_2", ["researcher"])
        cls.chair = cls._user("h2_chair", ["committee"])
        cls.member_2 = cls._user("h2_member_2", ["committee"])
        cls.member_3 = cls._user("h2_member_3", ["committee"])
        cls.outsider = cls._user("h2_outsider", ["committee"])
        cls.accountant = cls._user("h2_accountant", ["accountant"])
        cls.manager = cls._user("h2_manager", ["manager"])

        cls.stages = {
            kind: cls.env.ref(f"beneficiary_relations.stage_{kind}")
            for kind in (
                "received", "verified", "declared", "research", "committee",
                "approved", "rejected", "delivered", "closed",
            )
        }
        cls.channel = cls.env["beneficiary.channel"].create({"name": "Interview (test)", "code": "h2_interview"})
        DocumentType = cls.env["beneficiary.document.type"]
        cls.doc_id_copy = DocumentType.create({"name": "Copy of the ID (test)", "code": "h2_id_copy"})
        cls.doc_medical = DocumentType.create({"name": "Medical report (test)", "code": "h2_medical"})
        cls.aid_type = cls.env["beneficiary.aid.type"].create(
            {
                "name": "Treatment support (test)",
                "company_id": cls.company.id,
                "required_document_type_ids": [Command.set([cls.doc_id_copy.id, cls.doc_medical.id])],
            }
        )
        cls.committee = cls._committee(cls.company, [cls.chair, cls.member_2, cls.member_3], quorum=2)
        cls.beneficiary = cls.env["beneficiary.beneficiary"].create(
            {
                "name": "Huda Test",
                "identity_number": saudi_id.complete("104455667"),
                "identity_expiry": cls.today + timedelta(days=400),
                "email": "huda.test@example.com",
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def _test_company(cls):
        """The association the tests work in: the database's main one, unless
        a subclass needs one of its own (one free of demo records)."""
        return cls.env.company

    @classmethod
    def _user(cls, login, roles, company=None):
        company = company or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            groups=",".join(GROUP + role for role in roles),
            company_id=company.id,
            company_ids=[company.id],
            email=f"{login}@example.com",
        )

    @classmethod
    def _committee(cls, company, members, quorum=2, rule="majority", chair=None):
        return cls.env["beneficiary.committee"].create(
            {
                "name": f"Committee {rule} (test)",
                "company_id": company.id,
                "member_ids": [Command.set([member.id for member in members])],
                "chair_id": (chair or members[0]).id,
                "quorum": quorum,
                "decision_rule": rule,
            }
        )

    def setUp(self):
        super().setUp()
        # The day again for each test: a class whose tests run across midnight in Riyadh
        # (21:00 UTC) would otherwise expect the day it was set up.
        self.today = self.company._beneficiary_today()

    def _request(self, **values):
        values.setdefault("beneficiary_id", self.beneficiary.id)
        values.setdefault("channel_id", self.channel.id)
        values.setdefault("aid_type_id", self.aid_type.id)
        values.setdefault("officer_id", self.officer.id)
        return self.env["beneficiary.request"].create(values)

    def _attach(self, request, *document_types, expiry=False):
        request.document_ids = [
            Command.create(
                {
                    "document_type_id": document_type.id,
                    "attachment": FILE,
                    "attachment_filename": "scan.pdf",
                    "expiry_date": expiry,
                }
            )
            for document_type in document_types
        ]

    def _advance(self, request, kind, committee=None):
        """Complete what each step needs and press its button, up to ``kind``
        (``received`` ... ``committee``), as the superuser."""
        steps = ["received", "verified", "declared", "research", "committee"]
        for step in steps[steps.index(request.stage_kind) + 1 : steps.index(kind) + 1]:
            if step == "verified":
                self._attach(request, *request.aid_type_id.required_document_type_ids)
                request.action_verify()
            elif step == "declared":
                request.declaration_signature = SIGNATURE
                request.action_sign_declaration()
            elif step == "research":
                request.researcher_id = self.researcher
                request.action_send_to_research()
            elif step == "committee":
                request.write(
                    {
                        "research_report": "<p>Visited the family: the need is real.</p>",
                        "research_recommendation": "approve",
                        "committee_id": (committee or self.committee).id,
                    }
                )
                request.action_submit_to_committee()
        self.assertEqual(request.stage_kind, kind)
        return request

    def _vote(self, request, member, value):
        getattr(request.with_user(member), f"action_vote_{value}")()
