"""Beneficiary satisfaction on the Odoo side: the link sent at delivery, the
import of ratings from the public feedback service, and the figures."""

from datetime import date, datetime, timedelta, timezone
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tests.common import MockEmail

from ..models.beneficiary_feedback import token_reference
from ..policy import feedback_token, saudi_id
from .common_request import RequestCase

SECRET = "test-shared-secret-for-feedback-links"
PUBLIC_URL = "https://rate.example.org"


def _stamp(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@tagged("post_install", "-at_install")
class FeedbackCase(MockEmail, RequestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("beneficiary_relations.feedback_secret", SECRET)
        params.set_param("beneficiary_relations.feedback_public_url", PUBLIC_URL)
        params.set_param("beneficiary_relations.feedback_link_days", "30")
        cls.beneficiary.contact_consent = True
        cls.service_user = new_test_user(
            cls.env,
            login="feedback_service_test",
            groups="base.group_portal,beneficiary_relations.group_feedback_service",
        )

    def _delivered(self, **values):
        request = self._advance(self._request(**values), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        request.delivered_description = "Three months of treatment paid to the hospital"
        request.action_deliver()
        return request

    def _token(self, request, days=30):
        expiry = int((datetime.now(timezone.utc) + timedelta(days=days)).timestamp())
        return feedback_token.make_token(SECRET, request.name, expiry)

    def _item(self, token, rating=5, **extra):
        item = {
            "token": token,
            "rating": rating,
            "comment": "",
            "submitted_at": _stamp(datetime.now(timezone.utc) - timedelta(minutes=1)),
            "answers": {},
        }
        item.update(extra)
        return item

    def _link_mails(self):
        """The e-mails with a rating link made for the beneficiary (kept once sent under
        mock_mail_gateway, which stands for the mail server)."""
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", self.beneficiary.partner_id.ids), ("subject", "ilike", "how was our service")]
        )

    def _import(self, items):
        return self.env["beneficiary.feedback"].with_user(self.service_user).import_feedback(items)


class TestFeedbackLink(FeedbackCase):
    def test_delivery_sends_a_signed_link_to_the_beneficiary(self):
        with self.mock_mail_gateway():
            request = self._delivered()
        self.assertTrue(request.feedback_link_sent)
        self.assertTrue(request.feedback_url.startswith(PUBLIC_URL + "/r/v1."))
        token = request.feedback_url.rsplit("/", 1)[1]
        self.assertLessEqual(len(token), 64)
        reference, expiry = feedback_token.read_token(SECRET, token)
        self.assertEqual(reference, request.name)
        days_valid = (datetime.fromtimestamp(expiry) - datetime.now()).days
        self.assertIn(days_valid, (29, 30))
        self.assertNotIn(self.beneficiary.name.split()[0], token, "the link carries no personal data")
        sent = self._link_mails()
        self.assertEqual(len(sent), 1)
        self.assertIn(request.feedback_url, sent.body_html)
        self.assertEqual(sent.recipient_ids, self.beneficiary.partner_id)
        self.assertEqual(sent.state, "sent", "sent with the delivery, not at the mail queue's next hourly run")
        self.assertIn(request.feedback_url, self._mails[-1]["body"])

    def test_the_link_is_not_left_where_the_requests_other_readers_see_it(self):
        """Whoever holds the link can rate in the beneficiary's place: the researcher, the
        committee and the accountants read the request's chatter, not its link."""
        with self.mock_mail_gateway():
            request = self._delivered()
        token = request.feedback_url.rsplit("/", 1)[1]
        self.assertEqual(len(self._link_mails()), 1, "the beneficiary is sent the link")
        Message = self.env["mail.message"]
        self.assertFalse(Message.search([("body", "ilike", token)]).filtered(lambda m: m.model or m.res_id))
        for user in (self.researcher, self.chair, self.accountant):
            with self.subTest(user=user.login):
                self.assertFalse(Message.with_user(user).search([("body", "ilike", token)]))
        note = request.message_ids.filtered(lambda m: "rating link was e-mailed" in str(m.body))
        self.assertEqual(len(note), 1, "the chatter says the link went out")
        self.assertNotIn(token, str(note.body))

    def test_the_link_works_through_the_whole_last_day_the_message_names(self):
        with freeze_time("2026-11-22 22:30:00"), self.mock_mail_gateway():  # 01:30 on 23 November in Riyadh
            request = self._delivered()
        # thirty days after the association's day of delivery, to its midnight in Riyadh (21:00 UTC)
        end = datetime(2026, 12, 23, 21, 0)
        self.assertEqual(request.feedback_link_expiry, end)
        token = request.feedback_url.rsplit("/", 1)[1]
        _reference, expiry = feedback_token.read_token(SECRET, token, now=end.replace(tzinfo=timezone.utc).timestamp() - 86400)
        self.assertEqual(expiry, int(end.replace(tzinfo=timezone.utc).timestamp()))
        self.assertEqual(request.feedback_link_last_day, date(2026, 12, 23))
        self.assertIn("valid until 12/23/2026", self._link_mails().body_html)

    def test_no_mail_without_consent_but_the_receipt_still_has_the_link(self):
        self.beneficiary.contact_consent = False
        with self.mock_mail_gateway():
            request = self._delivered()
        self.assertTrue(request.feedback_url)
        self.assertFalse(self._link_mails())
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "beneficiary_relations.action_report_request_receipt", request.ids
        )
        html = html.decode()
        self.assertIn("data:image/png;base64", html, "the receipt prints the link as a QR code")
        self.assertIn("How was our service?", html)

    def test_the_receipt_prints_in_the_beneficiarys_language(self):
        self.env["res.lang"]._activate_lang("ar_001")
        self.env["ir.module.module"].search([("name", "=", "beneficiary_relations")])._update_translations(
            ["ar_001"]
        )
        self.beneficiary.lang = "ar_001"
        request = self._delivered()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "beneficiary_relations.action_report_request_receipt", request.ids
        )[0].decode()
        self.assertIn("كيف كانت خدمتنا؟", html)
        self.assertNotIn("How was our service?", html)

    def test_delivery_without_configuration_is_not_blocked(self):
        self.env["ir.config_parameter"].sudo().set_param("beneficiary_relations.feedback_secret", "")
        request = self._delivered()
        self.assertEqual(request.stage_kind, "delivered")
        self.assertFalse(request.feedback_url)
        self.assertTrue(
            request.message_ids.filtered(lambda m: "No feedback link was sent" in str(m.body)),
            "the officer is told why no link went out",
        )
        with self.assertRaisesRegex(UserError, "shared secret"):
            request.with_user(self.officer).action_send_feedback_link()

    def test_link_only_after_delivery(self):
        request = self._advance(self._request(), "research")
        with self.assertRaisesRegex(UserError, "once the aid is delivered"):
            request.with_user(self.officer).action_send_feedback_link()
        self.assertFalse(request.feedback_url)

    def test_environment_secret_wins_over_the_stored_one(self):
        with patch.dict("os.environ", {"BENEFICIARY_FEEDBACK_SECRET": "from-the-environment"}):
            request = self._delivered()
        token = request.feedback_url.rsplit("/", 1)[1]
        self.assertEqual(feedback_token.read_token("from-the-environment", token)[0], request.name)
        with self.assertRaises(feedback_token.FeedbackTokenError):
            feedback_token.read_token(SECRET, token)


class TestImportFeedback(FeedbackCase):
    def setUp(self):
        super().setUp()
        self.request = self._delivered()
        self.token = self.request.feedback_url.rsplit("/", 1)[1]

    def test_created_then_duplicate_when_the_batch_is_sent_again(self):
        batch = [
            self._item(
                self.token,
                rating=4,
                comment="They listened <b>patiently</b>",
                answers={"respect": 5, "time": 4, "overall": 4},
            )
        ]
        first = self._import(batch)
        self.assertEqual(first[0]["status"], "created")
        self.assertEqual(first[0]["token"], self.token)
        feedback = self.env["beneficiary.feedback"].browse(first[0]["id"])
        self.assertEqual(feedback.request_id, self.request)
        self.assertEqual((feedback.rating, feedback.answer_respect, feedback.answer_time), (4, 5, 4))
        self.assertFalse(feedback.answer_clarity)
        self.assertEqual(feedback.beneficiary_id, self.beneficiary)
        self.assertEqual(feedback.aid_type_id, self.aid_type)
        self.assertEqual(feedback.token_ref, token_reference(self.token))
        self.assertNotIn(self.token, str(feedback.read()), "Odoo keeps a digest, not the link")
        self.assertEqual(self.request.feedback_rating, 4)

        second = self._import(batch)
        self.assertEqual(second, [{"token": self.token, "status": "duplicate", "id": feedback.id, "error": ""}])
        self.assertEqual(self.env["beneficiary.feedback"].search_count([("request_id", "=", self.request.id)]), 1)

    def test_a_rejected_item_never_fails_the_rest_of_the_batch(self):
        other = self._delivered()
        other_token = other.feedback_url.rsplit("/", 1)[1]
        forged = self.token[:-2] + ("AA" if not self.token.endswith("AA") else "BB")
        expired = feedback_token.make_token(
            SECRET, self.request.name, int(datetime.now().timestamp()) - feedback_token.LATE_SEND_SECONDS - 120
        )
        unknown = feedback_token.make_token(
            SECRET, "REQ/1999/99999", int((datetime.now() + timedelta(days=3)).timestamp())
        )
        results = self._import(
            [
                self._item(forged),
                self._item(self.token, rating=0),
                self._item(self.token, rating=6),
                self._item(self.token, rating="5"),
                self._item(self.token, answers={"respect": 9}),
                self._item(self.token, answers={"hobby": 3}),
                self._item(self.token, comment="x" * 1001),
                self._item(self.token, submitted_at="yesterday"),
                self._item(expired),
                self._item(unknown),
                "not a dict",
                self._item(other_token, rating=2, comment="Nobody called me back"),
            ]
        )
        statuses = [result["status"] for result in results]
        self.assertEqual(statuses, ["rejected"] * 11 + ["created"])
        self.assertEqual(
            [result["error"] for result in results[:10]],
            [
                "token forged",
                "rating out of range",
                "rating out of range",
                "rating out of range",
                "answer out of range",
                "unknown question hobby",
                "comment too long",
                "submitted_at not in YYYY-MM-DD HH:MM:SS",
                "token expired",
                "unknown request",
            ],
        )
        self.assertFalse(self.request.feedback_ids, "nothing was stored for the rejected items")
        self.assertEqual(other.feedback_ids.rating, 2)

    def test_a_link_valid_when_rated_is_accepted_after_it_expired(self):
        """Odoo may be down for days: the link counts as of the beneficiary's submission."""
        expiry = datetime.now(timezone.utc) - timedelta(days=2)
        token = feedback_token.make_token(SECRET, self.request.name, int(expiry.timestamp()))
        submitted = _stamp(expiry - timedelta(hours=1))
        self.assertEqual(self._import([self._item(token, submitted_at=submitted)])[0]["status"], "created")
        # a form the service showed in time may be sent up to a day after the link expired
        late, too_late = self._delivered(), self._delivered()
        results = self._import(
            [
                self._item(self._token(late, days=-2), submitted_at=_stamp(expiry + timedelta(hours=23))),
                self._item(self._token(too_late, days=-2), submitted_at=_stamp(expiry + timedelta(hours=25))),
            ]
        )
        self.assertEqual([result["status"] for result in results], ["created", "rejected"])
        self.assertEqual(results[1]["error"], "token expired")
        self.assertEqual(late.feedback_rating, 5)
        self.assertFalse(too_late.feedback_ids)
        future = _stamp(datetime.now(timezone.utc) + timedelta(hours=2))
        other = self._delivered()
        result = self._import([self._item(self._token(other), submitted_at=future)])[0]
        self.assertEqual((result["status"], result["error"]), ("rejected", "submitted_at in the future"))

    def test_one_rating_per_request_even_through_two_links(self):
        reprint = self._token(self.request, days=10)
        results = self._import([self._item(self.token, rating=5), self._item(reprint, rating=1)])
        self.assertEqual([r["status"] for r in results], ["created", "duplicate"])
        self.assertEqual(results[1]["id"], results[0]["id"])
        self.assertEqual(self.request.feedback_ids.rating, 5)
        later = self._import([self._item(reprint, rating=1)])
        self.assertEqual((later[0]["status"], later[0]["id"]), ("duplicate", results[0]["id"]))

    def test_good_rating_schedules_nothing(self):
        self._import([self._item(self.token, rating=3)])
        followup = self.env.ref("beneficiary_relations.mail_activity_feedback_followup")
        self.assertFalse(self.request.feedback_ids.activity_ids.filtered(lambda a: a.activity_type_id == followup))


class TestLowRatingFollowup(FeedbackCase):
    """A rating of 1 or 2 gives the association's manager a follow-up on the request,
    without an e-mail for each one: ratings come in bursts after deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.followup = cls.env.ref("beneficiary_relations.mail_activity_feedback_followup")
        cls.other_manager = cls._user("h6_manager_2", ["manager"], company=cls.other_company)
        cls.other_beneficiary = cls.env["beneficiary.beneficiary"].create(
            {
                "name": "Salem Test",
                "identity_number": saudi_id.complete("105566778"),
                "identity_expiry": cls.today + timedelta(days=400),
                "company_id": cls.other_company.id,
            }
        )
        cls.other_aid_type = cls.env["beneficiary.aid.type"].create(
            {"name": "Rent support (test)", "company_id": cls.other_company.id}
        )

    def _requests(self, count, company=None):
        """Requests as the import finds them: it looks them up by number, whatever their step."""
        if company == self.other_company:
            values = {
                "beneficiary_id": self.other_beneficiary.id,
                "aid_type_id": self.other_aid_type.id,
                "officer_id": False,
                "company_id": self.other_company.id,
            }
        else:
            values = {
                "beneficiary_id": self.beneficiary.id,
                "aid_type_id": self.aid_type.id,
                "officer_id": self.officer.id,
                "company_id": self.company.id,
            }
        values["channel_id"] = self.channel.id
        return self.env["beneficiary.request"].create([dict(values) for _index in range(count)])

    def test_a_channel_shared_by_two_associations_shows_each_its_own_figures(self):
        ours, theirs = self._requests(2), self._requests(1, company=self.other_company)
        (ours | theirs).write({"feedback_link_sent": True})  # as sending the links does, under sudo
        self._import([self._item(self._token(r), rating=v) for r, v in zip(ours + theirs, [5, 4, 1])])
        channel = self.channel.with_user(self.manager)
        self.assertEqual((channel.satisfaction_count, channel.satisfaction_rating), (2, 4.5))
        channel = self.channel.with_user(self.other_manager).with_context(allowed_company_ids=self.other_company.ids)
        self.assertEqual((channel.satisfaction_count, channel.satisfaction_rating), (1, 1.0))

    def _followups(self, requests):
        """The follow-ups of the requests' ratings (they sit on the ratings, not on the requests)."""
        return requests.feedback_ids.activity_ids.filtered(lambda activity: activity.activity_type_id == self.followup)

    def test_low_rating_asks_the_manager_to_follow_up(self):
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1, comment="The office was <b>closed</b> twice")])
        activity = self._followups(request)
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.res_model, activity.res_id), ("beneficiary.feedback", request.feedback_ids.id))
        self.assertEqual(activity.user_id, self.company._beneficiary_feedback_manager())
        self.assertTrue(activity.user_id.has_group("beneficiary_relations.group_beneficiary_manager"))
        self.assertNotRegex(activity.summary, r"\d")
        self.assertIn("follow-up", activity.summary)
        self.assertEqual(activity.date_deadline, self.company._beneficiary_today())
        self.assertNotIn("closed", str(activity.note))
        self.assertIn("comment on the rating", str(activity.note))
        self.assertEqual(request.feedback_ids.comment, "The office was <b>closed</b> twice")

    def test_the_followup_reads_in_the_managers_language(self):
        self.env["res.lang"]._activate_lang("ar_001")
        manager = self.company._beneficiary_feedback_manager()
        manager.lang = "ar_001"
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1)])
        activity = self._followups(request)
        self.assertEqual(activity.summary, "متابعة رضا المستفيد: معاودة الاتصال به")
        self.assertNotIn("comment", str(activity.note))

    def test_the_case_team_never_learns_of_a_low_rating(self):
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1)])
        activity = self._followups(request)
        self.assertTrue(activity)
        # nothing on the request, which the researcher and the committee read
        self.assertFalse(request.activity_ids.filtered(lambda a: a.activity_type_id == self.followup))
        for user in (self.researcher, self.chair):
            self.assertFalse(
                request.with_user(user).activity_ids.filtered(lambda a: a.activity_type_id == self.followup),
                user.login,
            )
            self.assertFalse(
                self.env["mail.activity"].with_user(user).search([("id", "=", activity.id)]), user.login
            )
            with self.assertRaises(AccessError):
                activity.with_user(user).read(["summary"])
        self.assertFalse(request.message_ids.filtered(lambda m: "follow-up" in (m.body or "")))
        # only low ratings have a follower (the manager): listing them would count the low ratings
        followers = self.env["mail.followers"].search([("res_model", "=", "beneficiary.feedback")])
        self.assertTrue(followers)
        for user in (self.researcher, self.chair, self.accountant):
            self.assertFalse(
                self.env["mail.followers"].with_user(user).search([("res_model", "=", "beneficiary.feedback")]),
                user.login,
            )
        self.assertEqual(
            self.env["mail.followers"].with_user(self.officer).search([("res_model", "=", "beneficiary.feedback")]),
            followers,
        )

    def test_the_manager_logs_the_call_and_closes_the_followup(self):
        request = self._delivered()
        self._import([self._item(self._token(request), rating=2, comment="Nobody called")])
        activity = self._followups(request)
        manager = activity.user_id
        rating = request.feedback_ids.with_user(manager)
        rating.message_post(body="Called back: the hospital appointment is fixed.", message_type="comment")
        activity.with_user(manager).action_feedback(feedback="Called back")
        self.assertFalse(self._followups(request), "the follow-up is done")
        self.assertIn("hospital appointment", " ".join(rating.message_ids.mapped("body")))
        self.assertFalse(request.message_ids.filtered(lambda m: "Called back" in (m.body or "")))
        # the manager may hand a call to a colleague, who then follows the rating
        rating.activity_schedule(
            "beneficiary_relations.mail_activity_feedback_followup", user_id=self.officer.id, summary="Call again"
        )
        self.assertIn(self.officer.partner_id, rating.message_partner_ids)
        # but the rating itself is the beneficiary's
        for values in ({"rating": 5}, {"comment": "All good"}):
            with self.assertRaises(UserError):
                rating.write(values)
        self.assertEqual((rating.rating, rating.comment), (2, "Nobody called"))
        # and the notes of the follow-up are its record: no one rewrites or deletes another's
        done = rating.message_ids.filtered("mail_activity_type_id")  # "Satisfaction Follow-up done"
        self.assertEqual(len(done), 1)
        other_manager = self._user("h6_manager_3", ["manager"])
        for error, attempt in (
            (UserError, lambda: rating.with_user(other_manager).write({"message_ids": [Command.update(done.id, {"body": "x"})]})),
            (UserError, lambda: rating.with_user(other_manager).write({"message_ids": [Command.delete(done.id)]})),
            (AccessError, lambda: done.with_user(other_manager).write({"body": "nothing happened"})),
            (AccessError, lambda: done.with_user(other_manager).unlink()),
        ):
            with self.assertRaises(error):
                attempt()
        self.assertIn("Called back", done.body)
        # nor for having been told of it: a colleague mentioned in a note still cannot rewrite it
        told = rating.message_post(
            body="Please call her again tomorrow.", message_type="comment", partner_ids=other_manager.partner_id.ids
        )
        with self.assertRaisesRegex(AccessError, "Only its author"):
            told.with_user(other_manager).write({"body": "Called, all fine"})
        self.assertIn("tomorrow", str(told.body))
        told.with_user(manager).write({"body": "Please call her again on Sunday."})  # its author may
        # not even a settings administrator, through the chatter's own edit (the web client's path)
        other_manager.groups_id += self.env.ref("base.group_erp_manager")
        with self.assertRaises(AccessError):
            rating.with_user(other_manager)._message_update_content(told.sudo(), body="Called, all fine")
        self.assertIn("Sunday", str(told.body))
        rating._message_update_content(told.sudo(), body="Please call her again on Monday.")
        self.assertIn("Monday", str(told.body))
        # nor the request's copy of the rating, which its form shows
        with self.assertRaises(UserError):
            request.with_user(self.officer).write({"feedback_rating": 5})
        self.assertEqual(request.feedback_rating, 2)

    def test_officers_read_the_followup_but_do_not_take_it_over(self):
        """An officer reads ratings, and may be the one the rating is about: the manager's
        follow-up is not theirs to reassign or close, nor the rating's chatter theirs to write."""
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1)])
        activity = self._followups(request)
        rating = request.feedback_ids.with_user(self.officer)
        self.assertEqual(rating.activity_ids, activity)
        with self.assertRaises(AccessError):
            activity.with_user(self.officer).write({"user_id": self.officer.id})
        with self.assertRaises(AccessError):
            activity.with_user(self.officer).action_feedback(feedback="nothing to do")
        with self.assertRaises(AccessError):
            rating.message_post(body="Not my fault", message_type="comment")
        with self.assertRaises(UserError):  # no one changes a rating, whatever their access
            rating.write({"rating": 5})
        self.assertEqual((activity.user_id, activity.active), (self.company._beneficiary_feedback_manager(), True))
        self.assertEqual(request.feedback_ids.rating, 1)

    def test_one_followup_per_low_rating_for_the_manager_of_each_association(self):
        ours, theirs = self._requests(3), self._requests(2, company=self.other_company)
        ratings = [1, 2, 3, 2, 5]
        results = self._import([self._item(self._token(r), rating=v) for r, v in zip(ours + theirs, ratings)])
        self.assertEqual([result["status"] for result in results], ["created"] * 5)
        our_manager = self.company._beneficiary_feedback_manager()
        self.assertTrue(our_manager)
        self.assertNotEqual(our_manager, self.other_manager)
        for request, rating, manager in zip(ours + theirs, ratings, [our_manager] * 3 + [self.other_manager] * 2):
            activities = self._followups(request)
            if rating <= 2:
                self.assertEqual(len(activities), 1, request.name)
                self.assertEqual(activities.user_id, manager, request.name)
                self.assertNotIn(str(rating), activities.summary)
            else:
                self.assertFalse(activities, f"a rating of {rating} needs no follow-up")

    def test_no_email_for_each_followup(self):
        requests = self._requests(3) + self._requests(2, company=self.other_company)
        managers = self.company._beneficiary_feedback_manager() + self.other_manager
        to_managers = [("partner_ids", "in", managers.partner_id.ids)]
        messages_before = self.env["mail.message"].search(to_managers)
        mails_before = self.env["mail.mail"].search([("recipient_ids", "in", managers.partner_id.ids)])
        self._import([self._item(self._token(request), rating=1) for request in requests])
        self.assertEqual(len(self._followups(requests)), 5)
        self.assertEqual(
            self.env["mail.message"].search(to_managers), messages_before, "no 'activity assigned' message"
        )
        self.assertEqual(
            self.env["mail.mail"].search([("recipient_ids", "in", managers.partner_id.ids)]),
            mails_before,
            "no e-mail to the managers",
        )

    def test_a_batch_of_low_ratings_costs_no_query_per_rating(self):
        def queries_for(count):
            requests = self._requests(count // 2) + self._requests(count - count // 2, company=self.other_company)
            items = [self._item(self._token(request), rating=1 + index % 2) for index, request in enumerate(requests)]
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            results = self._import(items)
            self.env.flush_all()
            self.assertEqual([result["status"] for result in results], ["created"] * count)
            self.assertEqual(len(self._followups(requests)), count)
            return self.env.cr.sql_log_count - before

        few, many = queries_for(10), queries_for(40)
        self.assertLessEqual(many - few, 5, f"{few} queries for 10 low ratings, {many} for 40")


class TestFeedbackAccess(FeedbackCase):
    def test_the_service_user_imports_and_reads_nothing(self):
        request = self._delivered()
        models = (
            "beneficiary.beneficiary",
            "beneficiary.family.member",
            "beneficiary.request",
            "beneficiary.committee.vote",
            "beneficiary.feedback",
            "beneficiary.satisfaction.report",
        )
        for model in models:
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.service_user).search_read([], ["display_name"], limit=1)
        with self.assertRaises(AccessError):
            request.with_user(self.service_user).read(["name"])
        self.assertEqual(self._import([self._item(self._token(request))])[0]["status"], "created")

    def test_staff_cannot_import_ratings(self):
        request = self._delivered()
        for user in (self.officer, self.researcher, self.accountant, self.chair):
            with self.assertRaises(AccessError):
                self.env["beneficiary.feedback"].with_user(user).import_feedback([self._item(self._token(request))])
        self.assertFalse(request.feedback_ids)

    def test_figures_per_officer_are_for_managers_only(self):
        request = self._delivered()
        self._import([self._item(self._token(request), rating=4)])
        feedback = request.feedback_ids
        self.assertEqual(feedback.with_user(self.manager).officer_id, self.officer)
        self.assertEqual(feedback.with_user(self.officer).rating, 4, "officers see the ratings")
        with self.assertRaises(AccessError):
            feedback.with_user(self.officer).read(["officer_id"])
        with self.assertRaises(AccessError):
            self.env["beneficiary.satisfaction.report"].with_user(self.officer).search([])

    def test_the_figures_of_an_aid_type_or_a_channel_are_for_managers(self):
        """With one rating in them, they are that beneficiary's rating."""
        request = self._delivered()
        self._import([self._item(self._token(request), rating=1)])
        self.assertEqual(self.aid_type.with_user(self.manager).satisfaction_count, 1)
        for user in (self.officer, self.researcher, self.chair, self.accountant):
            for record in (self.aid_type, self.channel):
                with self.subTest(user=user.login, model=record._name), self.assertRaises(AccessError):
                    record.with_user(user).read(["satisfaction_rating"])


class TestSatisfactionFigures(FeedbackCase):
    def test_average_csat_and_response_rate(self):
        requests = [self._delivered() for _index in range(4)]
        ratings = [5, 4, 2]  # the fourth beneficiary has not answered yet
        self._import([self._item(self._token(r), rating=v) for r, v in zip(requests, ratings)])
        aid_type = self.aid_type.with_user(self.manager)
        self.assertAlmostEqual(aid_type.satisfaction_rating, 11 / 3, places=2)
        self.assertAlmostEqual(aid_type.satisfaction_csat, 200 / 3, places=1)
        self.assertAlmostEqual(aid_type.satisfaction_response_rate, 75.0, places=1)
        self.assertEqual(aid_type.satisfaction_count, 3)
        self.assertAlmostEqual(self.channel.satisfaction_response_rate, 75.0, places=1)

        groups = self.env["beneficiary.satisfaction.report"].with_user(self.manager)._read_group(
            [("request_id", "in", [r.id for r in requests])],
            groupby=["officer_id"],
            aggregates=["link_count:sum", "rated_count:sum", "csat:avg"],
        )
        self.assertEqual(len(groups), 1)
        officer, links, rated, csat = groups[0]
        self.assertEqual((officer, links, rated), (self.officer, 4, 3))
        self.assertAlmostEqual(csat, 200 / 3, places=1)

    def test_figures_are_computed_without_a_query_per_record(self):
        aid_types = self.env["beneficiary.aid.type"].search([])
        aid_types.invalidate_recordset()
        with self.assertQueryCount(__system__=2):
            aid_types.mapped("satisfaction_csat")
