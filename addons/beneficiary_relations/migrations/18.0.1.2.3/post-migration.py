"""18.0.1.2.3: a low rating's follow-up moves from the request to the rating.

The activity type is data loaded once (``noupdate``), so a database installed before keeps
its old model on update: set it here. What the follow-ups left on requests, which the case's
researcher and the committee read, moves to the rating they were made for (a request has at
most one): the follow-ups still open, and the "follow-up done" messages of those closed,
which carry the manager's notes of the call. A follow-up whose rating is gone (its request's
rating deleted by hand) is deleted, with its messages: they would only tell the case's team
that there was one.
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
    on_requests = [("res_model", "=", "beneficiary.request"), ("activity_type_id", "=", followup.id)]
    activities = env["mail.activity"].with_context(active_test=False).search(on_requests)
    messages = env["mail.message"].search(
        [("model", "=", "beneficiary.request"), ("mail_activity_type_id", "=", followup.id)]
    )
    request_ids = set(activities.mapped("res_id")) | set(messages.mapped("res_id"))
    if not request_ids:
        return
    ratings = env["beneficiary.feedback"].search([("request_id", "in", list(request_ids))])
    rating_of = {rating.request_id.id: rating.id for rating in ratings}
    feedback_model = env["ir.model"]._get_id("beneficiary.feedback")
    kept = activities.filtered(lambda activity: activity.res_id in rating_of)
    kept_messages = messages.filtered(lambda message: message.res_id in rating_of)
    (activities - kept).unlink()
    (messages - kept_messages).unlink()
    # Grouped by request before anything moves: a rating's id may be another request's, and a
    # follow-up already moved to it must not be taken again for that request.
    activities_of = kept.grouped("res_id")
    messages_of = kept_messages.grouped("res_id")
    for request_id, rating_id in rating_of.items():
        if request_id in activities_of:
            activities_of[request_id].write({"res_model_id": feedback_model, "res_id": rating_id})
        if request_id in messages_of:
            messages_of[request_id].write({"model": "beneficiary.feedback", "res_id": rating_id})
