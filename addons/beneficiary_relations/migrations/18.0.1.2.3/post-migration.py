"""18.0.1.2.3: a low rating's follow-up moves from the request to the rating.

The activity type is data loaded once (``noupdate``), so a database installed before keeps
its old model on update: set it here. The follow-ups still open on requests, which the case's
researcher and the committee read, move to the rating they were made for (the request's
lowest rating, there is at most one per request).
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    followup = env.ref("beneficiary_relations.mail_activity_feedback_followup", raise_if_not_found=False)
    if not followup:
        return
    followup.res_model = "beneficiary.feedback"
    activities = env["mail.activity"].search(
        [("activity_type_id", "=", followup.id), ("res_model", "=", "beneficiary.request")]
    )
    if not activities:
        return
    ratings = env["beneficiary.feedback"].search(
        [("request_id", "in", activities.mapped("res_id"))], order="rating desc"
    )
    # ordered high to low: the dict keeps each request's lowest rating
    rating_of = {rating.request_id.id: rating.id for rating in ratings}
    feedback_model = env["ir.model"]._get_id("beneficiary.feedback")
    for activity in activities:
        if activity.res_id in rating_of:
            activity.write({"res_model_id": feedback_model, "res_id": rating_of[activity.res_id]})
