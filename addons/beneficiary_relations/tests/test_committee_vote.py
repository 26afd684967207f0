import base64

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..policy import saudi_id
from .common_request import RequestCase


@tagged("post_install", "-at_install")
class TestCommitteeVote(RequestCase):
    """Vote rules: quorum, each decision rule, tie, abstention, conflict of
    interest, changing a vote, who may vote and who may close."""

    def _at_committee(self, committee=None):
        return self._advance(self._request(), "committee", committee=committee)

    def _close(self, request, user=None):
        request.with_user(user or request.committee_id.chair_id).action_close_vote()

    def test_members_vote_with_their_own_rights_and_may_change_their_vote(self):
        request = self._at_committee()
        self._vote(request, self.member_2, "approve")
        vote = self.env["beneficiary.committee.vote"].search([("request_id", "=", request.id)])
        self.assertEqual((vote.member_id, vote.vote, vote.create_uid), (self.member_2, "approve", self.member_2))
        self.assertEqual(request.with_user(self.member_2).my_vote, "approve")
        self.assertFalse(request.with_user(self.member_2).awaiting_my_vote)
        self._vote(request, self.member_2, "reject")
        self.assertEqual(len(request.vote_ids), 1, "changing a vote updates it")
        self.assertEqual(vote.vote, "reject")
        # the member's vote activity is done
        self.assertFalse(request.activity_ids.filtered(lambda a: a.user_id == self.member_2))
        # a comment from the vote dialog
        action = request.with_user(self.member_2).action_open_my_vote()
        self.assertEqual((action["res_model"], action["res_id"]), ("beneficiary.committee.vote", vote.id))
        vote.with_user(self.member_2).write({"comment": "Income is above the threshold."})
        self.assertEqual(vote.comment, "Income is above the threshold.")

    def test_one_vote_per_member_and_request_in_the_database(self):
        request = self._at_committee()
        self._vote(request, self.member_2, "approve")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["beneficiary.committee.vote"].create(
                {"request_id": request.id, "member_id": self.member_2.id, "vote": "reject"}
            )

    def test_a_member_cannot_vote_for_another(self):
        request = self._at_committee()
        with self.assertRaises(UserError) as caught:
            self.env["beneficiary.committee.vote"].with_user(self.member_2).create(
                {"request_id": request.id, "member_id": self.member_3.id, "vote": "approve"}
            )
        self.assertIn("only cast or change your own vote", str(caught.exception))

    def test_a_non_member_cannot_vote(self):
        request = self._at_committee()
        with self.assertRaises(UserError) as caught:
            self.env["beneficiary.committee.vote"].with_user(self.outsider).create(
                {"request_id": request.id, "vote": "approve"}
            )
        self.assertIn("is not a member of the committee", str(caught.exception))
        self.assertFalse(request.vote_ids)

    def test_votes_only_at_the_committee_stage(self):
        request = self._advance(self._request(), "research")
        request.committee_id = self.committee
        with self.assertRaises(UserError) as caught:
            self.env["beneficiary.committee.vote"].with_user(self.chair).create(
                {"request_id": request.id, "vote": "approve"}
            )
        self.assertIn("is not at the committee stage", str(caught.exception))

    def test_quorum_counts_abstentions_and_blocks_an_early_close(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        with self.assertRaises(UserError) as caught:
            self._close(request)
        self.assertIn("The quorum is not reached", str(caught.exception))
        self.assertIn("1 of the 2 votes", str(caught.exception))
        self.assertFalse(request.decision)
        self._vote(request, self.member_2, "abstain")
        self.assertTrue(request.quorum_reached)
        self._close(request)
        self.assertEqual(request.decision, "approved", "one approval, one abstention: the majority approves")
        self.assertEqual(request.decision_date, self.today)
        self.assertIn("1 approve, 0 reject, 1 abstain", request.decision_tally)

    def test_a_tie_is_not_an_approval(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "reject")
        self._close(request)
        self.assertEqual(request.decision, "rejected")
        self.assertEqual(request.stage_kind, "rejected")

    def test_majority(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self._vote(request, self.member_3, "reject")
        self._close(request)
        self.assertEqual((request.decision, request.stage_kind), ("approved", "approved"))

    def test_two_thirds(self):
        committee = self._committee(
            self.company, [self.chair, self.member_2, self.member_3], quorum=3, rule="two_thirds"
        )
        approved = self._at_committee(committee)
        self._vote(approved, self.chair, "approve")
        self._vote(approved, self.member_2, "approve")
        self._vote(approved, self.member_3, "reject")
        self._close(approved)
        self.assertEqual(approved.decision, "approved", "two of three is two thirds")
        rejected = self._at_committee(committee)
        self._vote(rejected, self.chair, "approve")
        self._vote(rejected, self.member_2, "reject")
        self._vote(rejected, self.member_3, "abstain")
        self._close(rejected)
        self.assertEqual(rejected.decision, "rejected")

    def test_unanimity(self):
        committee = self._committee(
            self.company, [self.chair, self.member_2, self.member_3], quorum=3, rule="unanimity"
        )
        request = self._at_committee(committee)
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self._vote(request, self.member_3, "reject")
        self._close(request)
        self.assertEqual(request.decision, "rejected", "one rejection breaks unanimity")

    def test_conflict_of_interest(self):
        committee = self._committee(
            self.company, [self.chair, self.member_2, self.member_3], quorum=3, rule="majority"
        )
        request = self._at_committee(committee)
        self._vote(request, self.member_3, "reject")
        request.with_user(self.member_3).action_declare_conflict()
        self.assertIn(self.member_3, request.conflict_member_ids)
        self.assertFalse(request.vote_ids, "the vote cast before the declaration is withdrawn")
        self.assertFalse(request.with_user(self.member_3).can_vote)
        with self.assertRaises(UserError) as caught:
            self._vote(request, self.member_3, "approve")
        self.assertIn("declared a conflict of interest", str(caught.exception))
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self.assertEqual(request.vote_eligible_count, 2)
        with self.assertRaises(UserError) as caught:
            self._close(request)
        self.assertIn("2 of the 3 votes", str(caught.exception), "a member in conflict never counts")

    def test_the_committee_s_record_is_written_only_by_the_workflow(self):
        """Read-only on the screen is not enough: through the API or an import too, nobody
        but the workflow writes the decision, its reason and tally, the promise made on
        submission, the conflicts of interest, or the committee once the request is before it."""
        Request = self.env["beneficiary.request"]
        before = Request.search_count([])
        with self.assertRaises(UserError) as caught:
            Request.with_user(self.officer).create(
                {
                    "beneficiary_id": self.beneficiary.id,
                    "channel_id": self.channel.id,
                    "aid_type_id": self.aid_type.id,
                    "decision": "approved",
                    "decision_date": self.today,
                }
            )
        self.assertIn("only by the chair closing the committee vote", str(caught.exception))
        self.assertEqual(Request.search_count([]), before, "nothing was created")

        request = self._at_committee()
        request.with_user(self.officer).write({"requested_amount": 4000})  # still open before the decision
        promised = request.decision_deadline
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self._vote(request, self.member_3, "reject")
        other = self._committee(self.company, [self.outsider], quorum=1)
        for user, vals, message in (
            (self.officer, {"answer_days": 365}, "answer window are set when"),
            (self.officer, {"committee_submitted_date": self.today}, "answer window are set when"),
            (self.manager, {"committee_id": other.id}, "the committee no longer changes"),
            (self.researcher, {"conflict_member_ids": [Command.link(self.member_2.id)]}, "their own conflict"),
            (self.manager, {"decision_tally": "3 approve, 0 reject"}, "only by the chair closing"),
        ):
            with self.subTest(user=user.login, vals=vals), self.assertRaises(UserError) as caught:
                request.with_user(user).write(vals)
            self.assertIn(message, str(caught.exception))
        self.assertEqual(request.decision_deadline, promised)
        self.assertEqual(request.committee_id, self.committee)
        self.assertFalse(request.conflict_member_ids)
        self._close(request)
        self.assertEqual(request.decision, "approved", "the votes cast decide, nobody's write")
        with self.assertRaises(UserError):
            request.with_user(self.officer).write({"decision_reason": "Rewritten afterwards."})
        self.assertFalse(request.decision_reason)
        with self.assertRaises(UserError) as caught:
            request.with_user(self.manager).write({"requested_amount": 40000})
        self.assertIn("the committee decided on: it no longer changes", str(caught.exception))
        self.assertEqual(request.requested_amount, 4000)

    def test_what_the_committee_decided_on_stays_as_it_was(self):
        """After the decision, the applicant, the aid type, the description and the research
        stay as the committee saw them; a decided request is not deleted; and the feedback
        link, which puts it in the satisfaction figures, is written only by sending it."""
        request = self._at_committee()
        request.write({"research_report": "<p>Visited: rent two months late.</p>",
                       "research_recommendation": "approve"})
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self._close(request)
        other_type = self.env["beneficiary.aid.type"].create({"name": "Other aid (test)", "company_id": self.company.id})
        for user, vals in (
            (self.officer, {"aid_type_id": other_type.id}),
            (self.officer, {"description": "Something else"}),
            (self.researcher, {"research_recommendation": "reject"}),
            (self.researcher, {"research_report": "<p>Rewritten.</p>"}),
            (self.manager, {"beneficiary_id": self.env["beneficiary.beneficiary"].create({
                "name": "Someone Else (test)", "identity_number": saudi_id.complete("104455668"),
                "company_id": self.company.id}).id}),
        ):
            with self.subTest(user=user.login, vals=list(vals)), self.assertRaises(UserError) as caught:
                request.with_user(user).write(vals)
            self.assertIn("The committee decided on", str(caught.exception))
        self.assertEqual((request.aid_type_id, request.research_recommendation), (self.aid_type, "approve"))
        self.assertIn("rent two months late", request.research_report)
        request.with_user(self.officer).write({"priority": "1"})  # what is not decided on still moves
        # the documents it decided on stay; a new one (a receipt, say) may be added
        evidence = request.document_ids
        self.assertTrue(evidence)
        for change in (lambda d: d.unlink(), lambda d: d.write({"expiry_date": self.today})):
            with self.assertRaises(UserError) as caught:
                change(evidence[:1].with_user(self.officer))
            self.assertIn("they stay as they are", str(caught.exception))
        self.assertEqual(request.document_ids, evidence)
        request.with_user(self.officer).write({"document_ids": [Command.create({
            "document_type_id": self.doc_id_copy.id, "attachment": base64.b64encode(b"receipt")})]})
        self.assertEqual(len(request.document_ids), len(evidence) + 1)
        with self.assertRaisesRegex(UserError, "kept with its votes"):
            request.with_user(self.manager).unlink()
        self.assertTrue(request.exists() and request.vote_ids)
        for vals in ({"feedback_link_sent": True}, {"feedback_link_expiry": False}, {"feedback_url": "https://x/r/y"}):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(UserError, "only by sending it"):
                request.with_user(self.manager).write(vals)
        # the chatter keeps the record (the decision's tracking, the notices): an officer changes
        # their own notes only, a manager may remove someone else's message
        notice = request.message_post(body="The committee approved the request.", author_id=self.chair.partner_id.id)
        with self.assertRaises(AccessError):
            notice.with_user(self.officer).unlink()
        with self.assertRaises(AccessError):
            notice.with_user(self.officer).write({"body": "<p>The committee rejected the request.</p>"})
        self.assertIn("approved", str(notice.body))
        # nor for having been told of it: mentioned in a notice, the officer still cannot rewrite it
        told = request.message_post(
            body="Approved; the officer will call the applicant.",
            author_id=self.chair.partner_id.id,
            partner_ids=self.officer.partner_id.ids,
        )
        with self.assertRaisesRegex(AccessError, "Only its author"):
            told.with_user(self.officer).write({"body": "<p>Rejected.</p>"})
        self.assertIn("Approved", str(told.body))
        # nor the files posted with a message, though the officer may edit the request itself
        signed = request.message_post(
            body="The committee's minutes.", author_id=self.chair.partner_id.id,
            attachments=[("minutes.txt", b"approved by three votes")],
        )
        minutes = signed.attachment_ids
        self.assertEqual(len(minutes), 1)
        for attempt in (lambda: minutes.with_user(self.officer).write({"raw": b"rejected"}),
                        lambda: minutes.with_user(self.officer).unlink()):
            with self.assertRaisesRegex(AccessError, "only the message's author"):
                attempt()
        self.assertEqual(minutes.raw, b"approved by three votes")
        own = request.with_user(self.officer).message_post(
            body="The applicant's letter.", attachments=[("letter.txt", b"draft")]
        )
        own.attachment_ids.with_user(self.officer).write({"raw": b"final"})  # their own file
        minutes.with_user(self.manager).unlink()  # as a manager may remove the message itself
        note = request.with_user(self.officer).message_post(body="Called the applicant.")
        note.with_user(self.officer).write({"body": "<p>Called the applicant twice.</p>"})
        notice.with_user(self.manager).unlink()
        undecided = self._request()
        undecided.with_user(self.officer).write({"aid_type_id": other_type.id})  # before: free to change
        undecided.with_user(self.manager).unlink()

    def test_vote_counts_of_several_cards_read_at_once(self):
        """The kanban reads the counts of every card in one go: each card keeps its own
        committee, conflicts and votes, and only the chair sees the tally."""
        strict = self._committee(self.company, [self.chair, self.member_2, self.member_3], quorum=3, rule="unanimity")
        split = self._at_committee()
        self._vote(split, self.chair, "approve")
        self._vote(split, self.member_2, "reject")
        conflicted = self._at_committee(strict)
        conflicted.with_user(self.member_3).action_declare_conflict()
        self._vote(conflicted, self.chair, "abstain")
        fresh = self._request()
        fields_read = [
            "vote_cast_count", "vote_eligible_count", "vote_approve_count",
            "vote_reject_count", "vote_abstain_count", "quorum_reached",
        ]
        expected = {
            self.chair: (split | conflicted, [(2, 3, 1, 1, 0, True), (1, 2, 0, 0, 1, False)]),
            self.member_2: (split | conflicted, [(2, 3, 0, 0, 0, True), (1, 2, 0, 0, 0, False)]),
            self.manager: (split | fresh, [(2, 3, 0, 0, 0, True), (0, 0, 0, 0, 0, False)]),
        }
        for user, (cards, counts) in expected.items():
            cards.invalidate_recordset()
            rows = cards.with_user(user).read(fields_read)
            self.assertEqual([tuple(row[name] for name in fields_read) for row in rows], counts, user.login)

    def test_only_the_chair_closes(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        for user in (self.member_2, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                self._close(request, user)
            self.assertIn("Only the chair", str(caught.exception))
        self.assertFalse(request.decision)

    def test_the_vote_is_closed_after_the_decision(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "reject")
        self._close(request)
        vote = request.vote_ids.filtered(lambda v: v.member_id == self.member_2)
        for attempt in (
            lambda: self._vote(request, self.member_3, "approve"),
            lambda: vote.with_user(self.member_2).write({"vote": "approve"}),
            lambda: self._close(request),
        ):
            with self.assertRaises(UserError) as caught:
                attempt()
            self.assertIn("The vote is closed", str(caught.exception))
        self.assertEqual(vote.vote, "reject")
        self.assertEqual(len(request.vote_ids), 2)

    def test_decision_notice_goes_to_the_applicant_in_their_language(self):
        request = self._at_committee()
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        self._close(request)
        notice = request.message_ids.filtered(lambda m: self.beneficiary.partner_id in m.partner_ids)
        self.assertEqual(len(notice), 1)
        self.assertIn(request.name, notice.subject)
        self.assertIn("approved", notice.body)
        template = self.env.ref("beneficiary_relations.mail_template_request_decision")
        self.beneficiary.partner_id.lang = "en_US"
        self.assertEqual(template._render_lang(request.ids)[request.id], "en_US")

    def test_committee_configuration_is_checked(self):
        with self.assertRaises(ValidationError):
            self._committee(self.company, [self.chair, self.member_2], quorum=3)
        with self.assertRaises(ValidationError):
            self._committee(self.company, [self.chair], quorum=0)
        with self.assertRaises(ValidationError):
            self._committee(self.company, [self.member_2], chair=self.chair)
        committee = self._committee(self.company, [self.chair, self.member_2], quorum=2)
        with self.assertRaises(ValidationError):
            committee.member_ids = [Command.unlink(self.member_2.id)]

    def test_who_votes_and_how_is_fixed_while_a_vote_is_open(self):
        """A manager adding themselves to the committee and voting, removing a member who voted,
        or lowering the quorum would each change an open vote's outcome."""
        request = self._at_committee()
        self._vote(request, self.member_2, "reject")
        as_manager = self.committee.with_user(self.manager)
        for vals in (
            {"member_ids": [Command.link(self.manager.id)]},
            {"member_ids": [Command.unlink(self.member_2.id)]},
            {"quorum": 1},
            {"decision_rule": "unanimity"},
        ):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(UserError, "1 request.* not yet decided"):
                as_manager.write(vals)
        self.assertEqual(self.committee.member_ids, self.chair | self.member_2 | self.member_3)
        self.assertEqual((self.committee.quorum, self.committee.decision_rule), (2, "majority"))
        as_manager.write({"chair_id": self.member_3.id})  # the chair away: another member closes
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_3, "reject")
        self._close(request, self.member_3)
        self.assertEqual(request.decision, "rejected")
        as_manager.write({"quorum": 3, "chair_id": self.chair.id})  # no vote open any more

    def test_awaiting_my_vote_filter(self):
        waiting = self._at_committee()
        voted = self._at_committee()
        conflicted = self._at_committee()
        self._vote(voted, self.member_2, "approve")
        conflicted.with_user(self.member_2).action_declare_conflict()
        Request = self.env["beneficiary.request"].with_user(self.member_2)
        found = Request.search([("awaiting_my_vote", "=", True)])
        self.assertEqual(found, waiting)
        self.assertEqual(
            Request.search([("awaiting_my_vote", "=", False), ("id", "in", (waiting | voted | conflicted).ids)]),
            voted | conflicted,
        )
        self.assertEqual(self.env["beneficiary.request"].with_user(self.chair).search([("awaiting_my_vote", "=", True)]),
                         waiting | voted | conflicted)
