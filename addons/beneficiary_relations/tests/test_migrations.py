import importlib.util
import os
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_request import RequestCase

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _post_migration(version):
    """The post-migration script of `version`, loaded as Odoo's updater loads it."""
    spec = importlib.util.spec_from_file_location(
        "beneficiary_relations_post_migration_" + version.replace(".", "_"),
        os.path.join(MIGRATIONS, version, "post-migration.py"),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestFollowupMigration(RequestCase):
    """18.0.1.2.3 moves each low rating's follow-up from its request to its rating."""

    def _rating(self, request, submitted_at):
        return self.env["beneficiary.feedback"].create(
            {
                "request_id": request.id,
                "rating": 1,
                "submitted_at": submitted_at,
                "token_ref": "migration-test-%s" % request.id,
            }
        )

    def _legacy_followup(self, request, followup, note):
        """A follow-up as versions before 18.0.1.2.3 left it: an open activity on the
        request, and the message of one already done."""
        activity = (
            self.env["mail.activity"]
            .sudo()
            .create(
                {
                    "activity_type_id": followup.id,
                    "res_model_id": self.env["ir.model"]._get_id("beneficiary.request"),
                    "res_id": request.id,
                    "user_id": self.env.user.id,
                    "note": note,
                }
            )
        )
        message = self.env["mail.message"].create(
            {
                "model": "beneficiary.request",
                "res_id": request.id,
                "mail_activity_type_id": followup.id,
                "body": note,
                "message_type": "notification",
            }
        )
        return activity, message

    def test_each_follow_up_reaches_its_own_rating_when_a_rating_id_is_another_requests(self):
        first_request, second_request = self._request(), self._request()
        now = fields.Datetime.now()
        # the migration goes through the ratings newest first: the first request's comes first
        first = self._rating(first_request, now - timedelta(minutes=1))
        second = self._rating(second_request, now - timedelta(days=2))
        # Ratings and requests are numbered apart, so a rating's number is often some other
        # rated request's: here the first rating takes the second request's number, so that
        # the first follow-up, once moved, carries the second request's number too.
        self.assertFalse(self.env["beneficiary.feedback"].browse(second_request.id).exists())
        self.env.cr.execute("UPDATE beneficiary_feedback SET id = %s WHERE id = %s", (second_request.id, first.id))
        self.env.invalidate_all()
        first = self.env["beneficiary.feedback"].browse(second_request.id)
        self.assertEqual(first.request_id, first_request)
        followup = self.env.ref("beneficiary_relations.mail_activity_feedback_followup")
        followup.res_model = "beneficiary.request"
        first_activity, first_message = self._legacy_followup(first_request, followup, "Call the first applicant")
        second_activity, second_message = self._legacy_followup(second_request, followup, "Call the second one")

        _post_migration("18.0.1.2.3").migrate(self.env.cr, "18.0.1.2.2")

        self.env.invalidate_all()
        self.assertEqual(followup.res_model, "beneficiary.feedback")
        self.assertEqual(
            [(record.res_model, record.res_id) for record in (first_activity, second_activity)],
            [("beneficiary.feedback", first.id), ("beneficiary.feedback", second.id)],
        )
        self.assertEqual(
            [(record.model, record.res_id) for record in (first_message, second_message)],
            [("beneficiary.feedback", first.id), ("beneficiary.feedback", second.id)],
        )
