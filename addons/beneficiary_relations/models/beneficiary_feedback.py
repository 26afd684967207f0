import hashlib
import logging
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

from ..policy import feedback_token

_logger = logging.getLogger(__name__)

# The policy's service questions, in the order the public page asks them. The
# codes are part of the contract with the feedback service (answers dict keys).
SERVICE_QUESTIONS = [
    ("respect", "Received politely and respectfully"),
    ("time", "Given enough time"),
    ("clarity", "Procedures explained clearly"),
    ("promptness", "Answered within the promised window"),
    ("overall", "Overall service"),
]
RATING_SELECTION = [
    ("1", "Very dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very satisfied"),
]
SUBMITTED_AT_FORMAT = "%Y-%m-%d %H:%M:%S"
COMMENT_MAX_CHARS = 1000
CLOCK_SKEW = timedelta(minutes=5)


def token_reference(token):
    """What Odoo keeps of a link token: a digest, so the link cannot be rebuilt from the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class BeneficiaryFeedback(models.Model):
    _name = "beneficiary.feedback"
    _description = "Beneficiary Satisfaction Rating"
    # A low rating's follow-up is an activity on the rating itself, not on its request: the
    # request is read by the case's researcher and the committee, who are not to learn how the
    # beneficiary rated them. Notes of the call back go in the rating's chatter, which only
    # those who read ratings (officers, managers) see. Posting there, assigning its activities
    # and adding followers take write access: managers only (officers read), while the rating
    # itself never changes (see write).
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "submitted_at desc, id desc"
    # its chatter is its record: a message is changed by its author, or as
    # _get_mail_message_access allows, never for having been notified of it (mail_message.py)
    _beneficiary_chatter_is_record = True
    _rec_name = "request_id"

    request_id = fields.Many2one(
        "beneficiary.request",
        string="Support Request",
        required=True,
        ondelete="cascade",
        index=True,
    )
    beneficiary_id = fields.Many2one(
        related="request_id.beneficiary_id", store=True, string="Beneficiary"
    )
    aid_type_id = fields.Many2one(related="request_id.aid_type_id", store=True, string="Aid Type")
    channel_id = fields.Many2one(related="request_id.channel_id", store=True, string="Channel")
    # Ratings measure the service, not people: figures per officer are the
    # manager's, to improve the service, never shown to colleagues.
    officer_id = fields.Many2one(
        related="request_id.officer_id",
        store=True,
        string="Relations Officer",
        groups="beneficiary_relations.group_beneficiary_manager",
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    rating = fields.Integer(required=True, aggregator="avg", help="From 1 (very dissatisfied) to 5 (very satisfied).")
    rating_label = fields.Selection(RATING_SELECTION, compute="_compute_rating_label", store=True, string="Rating Level")
    is_satisfied = fields.Boolean(
        compute="_compute_rating_label",
        store=True,
        string="Satisfied",
        help="A rating of 4 or 5: the share of these is the satisfaction rate (CSAT).",
    )
    satisfied_percent = fields.Float(
        compute="_compute_rating_label",
        store=True,
        aggregator="avg",
        string="Satisfaction Rate (%)",
        help="100 for a rating of 4 or 5, else 0: its average over ratings is the CSAT.",
    )
    answer_respect = fields.Integer(string="Received politely and respectfully", aggregator="avg")
    answer_time = fields.Integer(string="Given enough time", aggregator="avg")
    answer_clarity = fields.Integer(string="Procedures explained clearly", aggregator="avg")
    answer_promptness = fields.Integer(string="Answered within the promised window", aggregator="avg")
    answer_overall = fields.Integer(string="Overall service", aggregator="avg")
    comment = fields.Text()
    submitted_at = fields.Datetime(string="Submitted On", required=True, index=True)
    token_ref = fields.Char(
        string="Link Reference",
        required=True,
        readonly=True,
        copy=False,
        help="Digest of the link the rating came through; the link itself is not kept.",
    )

    _sql_constraints = [
        ("token_ref_unique", "unique(token_ref)", "This feedback link was already used."),
        ("request_unique", "unique(request_id)", "This support request was already rated."),
        ("rating_range", "CHECK(rating BETWEEN 1 AND 5)", "A rating goes from 1 to 5."),
    ]

    @api.depends("rating")
    def _compute_rating_label(self):
        for feedback in self:
            feedback.rating_label = str(feedback.rating) if 1 <= feedback.rating <= 5 else False
            feedback.is_satisfied = feedback.rating >= 4
            feedback.satisfied_percent = 100.0 if feedback.rating >= 4 else 0.0

    @api.model
    def _feedback_secret(self):
        """The shared secret, from the server's environment first, then the settings."""
        return self.env["res.config.settings"]._beneficiary_feedback_secret()

    @api.model
    def import_feedback(self, vals_list):
        """Import ratings sent by the feedback service (see docs/feedback-contract.md).

        Returns, in the order received, one ``{'token', 'status', 'id', 'error'}``
        per item, status being ``created``, ``duplicate`` or ``rejected``. The
        same batch sent twice creates nothing the second time; a rejected item
        never fails the others.
        """
        if not (
            self.env.user.has_group("beneficiary_relations.group_feedback_service")
            or self.env.user.has_group("beneficiary_relations.group_beneficiary_manager")
        ):
            raise AccessError(_("Only the feedback service may import ratings."))
        if not isinstance(vals_list, list):
            raise UserError(_("import_feedback expects a list of ratings."))
        sudo = self.sudo()
        secret = sudo._feedback_secret()
        results = [None] * len(vals_list)
        parsed = {}  # index -> (token_ref, reference, values)
        for index, vals in enumerate(vals_list):
            token = vals.get("token") if isinstance(vals, dict) else None
            try:
                parsed[index] = sudo._parse_feedback_item(secret, vals)
            except ValueError as error:
                results[index] = self._import_result(token, "rejected", error=str(error))
        requests = sudo.env["beneficiary.request"].search(
            [("name", "in", list({item[1] for item in parsed.values()}))]
        )
        request_by_name = {request.name: request for request in requests}
        token_refs = [item[0] for item in parsed.values()]
        existing = sudo.search(["|", ("token_ref", "in", token_refs), ("request_id", "in", requests.ids)])
        # Known ids, and positions in `to_create` for items new in this batch
        # (a second item for the same link or request is a duplicate of the first).
        known = {feedback.token_ref: feedback.id for feedback in existing}
        known.update({("request", feedback.request_id.id): feedback.id for feedback in existing})
        to_create, created_index, duplicate_of = [], [], {}
        for index, (token_ref, reference, values) in parsed.items():
            token = vals_list[index]["token"]
            request = request_by_name.get(reference)
            key = ("request", request.id) if request else None
            if token_ref in known or key in known:
                found = known.get(token_ref, known.get(key))
                if isinstance(found, tuple):
                    duplicate_of[index] = found[1]
                    found = False
                results[index] = self._import_result(token, "duplicate", found)
            elif not request:
                results[index] = self._import_result(token, "rejected", error="unknown request")
            else:
                values.update(request_id=request.id, token_ref=token_ref)
                known[token_ref] = known[key] = ("new", len(to_create))
                to_create.append(values)
                created_index.append(index)
        # no "created" note, follower or tracking per rating: a sync batch holds hundreds
        created = sudo.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        ).create(to_create)
        for index, feedback in zip(created_index, created):
            results[index] = self._import_result(vals_list[index]["token"], "created", feedback.id)
        for index, position in duplicate_of.items():
            results[index]["id"] = created[position].id
        created._schedule_low_rating_followup()
        _logger.info(
            "Imported feedback: %d created, %d duplicate, %d rejected",
            sum(r["status"] == "created" for r in results),
            sum(r["status"] == "duplicate" for r in results),
            sum(r["status"] == "rejected" for r in results),
        )
        return results

    def write(self, vals):
        # Managers have write access for the chatter and the activities, which never write
        # the rating itself: what the beneficiary said is theirs, and the satisfaction figures
        # are made of it. Messages are not rewritten through it either (see below).
        if vals and not self.env.su:
            labels = [
                self._fields[name].get_description(self.env)["string"] if name in self._fields else name
                for name in vals
            ]
            raise UserError(
                self.env._(
                    "A rating is the beneficiary's own and is never changed (%(fields)s).",
                    fields=", ".join(labels),
                )
            )
        return super().write(vals)

    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # The notes of a follow-up are its record: their authors may correct their own (mail
        # lets an author edit), but no one else rewrites or deletes them, managers included.
        if operation in ("write", "unlink"):
            return "unlink"
        return super()._get_mail_message_access(res_ids, operation, model_name=model_name)

    @api.model
    def _import_result(self, token, status, record_id=False, error=""):
        return {
            "token": token if isinstance(token, str) else "",
            "status": status,
            "id": record_id or False,
            "error": error,
        }

    @api.model
    def _parse_feedback_item(self, secret, vals):
        """Check one item of the contract; return (token_ref, request reference, values).

        Raises ValueError with a short, non-personal reason for the service's log.
        """
        if not isinstance(vals, dict):
            raise ValueError("item is not a dict")
        token = vals.get("token")
        if not isinstance(token, str) or not token:
            raise ValueError("token missing")
        rating = vals.get("rating")
        if type(rating) is not int or not 1 <= rating <= 5:
            raise ValueError("rating out of range")
        comment = vals.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > COMMENT_MAX_CHARS:
            raise ValueError("comment too long")
        try:
            submitted_at = datetime.strptime(vals.get("submitted_at") or "", SUBMITTED_AT_FORMAT)
        except (TypeError, ValueError):
            raise ValueError("submitted_at not in YYYY-MM-DD HH:MM:SS") from None
        if submitted_at > fields.Datetime.now() + CLOCK_SKEW:
            raise ValueError("submitted_at in the future")
        # The link must have been valid when the beneficiary submitted, not
        # when the sync reaches Odoo: Odoo may have been down for days. A form
        # the service showed while the link was valid may be sent a day late.
        moment = submitted_at.replace(tzinfo=timezone.utc).timestamp()
        try:
            reference, _expiry = feedback_token.read_token(
                secret, token, now=moment - feedback_token.LATE_SEND_SECONDS
            )
        except feedback_token.FeedbackTokenError as error:
            raise ValueError("token %s" % error.reason) from None
        answers = vals.get("answers") or {}
        if not isinstance(answers, dict):
            raise ValueError("answers is not a dict")
        known = dict(SERVICE_QUESTIONS)
        values = {"rating": rating, "comment": comment, "submitted_at": submitted_at}
        for code, answer in answers.items():
            if code not in known:
                raise ValueError("unknown question %s" % str(code)[:20])
            if type(answer) is not int or not 1 <= answer <= 5:
                raise ValueError("answer out of range")
            values["answer_%s" % code] = answer
        return token_reference(token), reference, values

    def _schedule_low_rating_followup(self):
        """A rating of 1 or 2 asks the manager to follow up with the beneficiary.

        The activity sits on the rating, which officers and managers read, never on the
        request: an activity there would tell the case's researcher and the committee that
        the beneficiary rated the service low. A sync batch may hold hundreds of ratings:
        the managers are looked up once per association and the activities are created
        together.
        """
        low = self.filtered(lambda feedback: feedback.rating <= 2)
        if not low or self.env.context.get("mail_activity_automation_skip"):
            return self.env["mail.activity"]
        activity_type = self.env.ref("beneficiary_relations.mail_activity_feedback_followup")
        requests = low.request_id
        manager_of = {company: company._beneficiary_feedback_manager() for company in requests.company_id}
        feedback_model = self.env["ir.model"]._get(self._name).id
        deadline_of = requests._association_days()
        # in the manager's language, not the importing service's
        text_of = {}
        for manager in set(manager_of.values()):
            env = self.with_context(lang=manager.lang or self.env.lang).env
            text_of[manager] = (
                env._("Satisfaction follow-up: call the beneficiary back"),
                plaintext2html(env._("Read the beneficiary's comment on the rating, then call them back.")),
            )
        vals_list = []
        for feedback in low:
            company = feedback.request_id.company_id
            summary, note = text_of[manager_of[company]]
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": deadline_of[company.id],
                    "res_model_id": feedback_model,
                    "res_id": feedback.id,
                    "automated": True,
                    "user_id": manager_of[company].id or self.env.uid,
                }
            )
        # Decision: no "activity assigned" e-mail per low rating. After a morning
        # of deliveries a manager would get dozens at once; the follow-ups wait
        # in their activities (due today, counted in the top bar) instead.
        return self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
