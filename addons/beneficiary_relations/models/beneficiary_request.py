from collections import defaultdict
from datetime import timedelta, timezone

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import format_date, is_html_empty
from odoo.tools.sql import create_index

from ..policy import deadlines, feedback_token, hijri, voting, workflow
from .beneficiary_beneficiary import CASE_GROUPS

RESEARCH_GROUPS = (
    "beneficiary_relations.group_beneficiary_researcher,"
    "beneficiary_relations.group_beneficiary_committee,"
    "beneficiary_relations.group_beneficiary_manager"
)
MANAGER_GROUP = "beneficiary_relations.group_beneficiary_manager"
OFFICER_GROUP = "beneficiary_relations.group_beneficiary_officer"
COMMITTEE_GROUP = "beneficiary_relations.group_beneficiary_committee"
# Internal users of the request's association (officer, witness, researcher).
STAFF_DOMAIN = "[('share', '=', False), ('company_ids', 'in', company_id)]"
# Fields that only closing the committee vote sets (under sudo, after its checks).
DECISION_FIELDS = ("decision", "decision_date", "decision_reason", "decision_tally")
# Fields that only the workflow sets, each under sudo after its own checks: the promise
# made on entering the committee step, and a member's own declaration of a conflict.
COMMITTEE_ENTRY_FIELDS = ("committee_submitted_date", "answer_days")
CONFLICT_FIELDS = ("conflict_member_ids",)
# What the committee decided on: once decided, none of it changes, through any door (a changed
# aid type would also reach other restricted funds). More aid or another need is a new request.
DECIDED_ON_FIELDS = ("beneficiary_id", "aid_type_id", "description", "research_report", "research_recommendation")
# Written only by sending the feedback link (under sudo): unsetting them would take a delivered
# request, and its rating, out of the satisfaction figures.
FEEDBACK_LINK_FIELDS = ("feedback_url", "feedback_link_expiry", "feedback_link_sent")


class BeneficiaryRequest(models.Model):
    _name = "beneficiary.request"
    _description = "Support Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, submitted_date desc, id desc"
    # its chatter is its record: a message is changed by its author, or as
    # _get_mail_message_access allows, never for having been notified of it (mail_message.py)
    _beneficiary_chatter_is_record = True
    _check_company_auto = True
    # the feedback link names a request by its number: it must be unique in the database
    _sql_constraints = [
        ("name_unique", "unique(name)", "This request number is already used."),
    ]

    # -- identification -------------------------------------------------------------
    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default="New"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    beneficiary_id = fields.Many2one(
        "beneficiary.beneficiary",
        string="Beneficiary",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        related="beneficiary_id.partner_id", string="Applicant Contact", readonly=True
    )
    channel_id = fields.Many2one(
        "beneficiary.channel",
        string="Channel",
        required=True,
        tracking=True,
        check_company=True,
        help="How the beneficiary reached the association with this request.",
    )
    aid_type_id = fields.Many2one(
        "beneficiary.aid.type", string="Aid Type", tracking=True, check_company=True, index=True
    )
    description = fields.Text(help="What the beneficiary asks for, in their words.", groups=CASE_GROUPS)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    requested_amount = fields.Monetary(currency_field="currency_id", tracking=True)
    branch_id = fields.Many2one("beneficiary.branch", string="Branch", check_company=True)
    officer_id = fields.Many2one(
        "res.users",
        string="Relations Officer",
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain=STAFF_DOMAIN,
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Urgent")], default="0", index=True, tracking=True
    )
    kanban_state = fields.Selection(
        [("normal", "In Progress"), ("done", "Ready for Next Stage"), ("blocked", "Blocked")],
        default="normal",
        copy=False,
        help="Reset to In Progress each time the request changes stage.",
    )
    # no sum in the kanban column headers either: a total of colour indexes means
    # nothing, and without it the headers are counted from the board index alone
    color = fields.Integer(string="Color Index", aggregator=None)
    submitted_date = fields.Date(
        string="Date Received",
        required=True,
        default=lambda self: self.env.company._beneficiary_today(),
        tracking=True,
        help="The day the association received the request. Identity and documents "
        "must be valid on this day.",
    )
    submitted_date_hijri = fields.Char(string="Date Received (Hijri)", compute="_compute_hijri_dates")

    # -- workflow ---------------------------------------------------------------------
    stage_id = fields.Many2one(
        "beneficiary.request.stage",
        string="Stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        default=lambda self: self._default_stage(),
        group_expand="_read_group_stage_ids",
    )
    stage_kind = fields.Selection(related="stage_id.kind", store=True, string="Step")
    document_ids = fields.One2many(
        "beneficiary.request.document", "request_id", string="Documents", copy=False
    )
    required_document_type_ids = fields.Many2many(
        related="aid_type_id.required_document_type_ids", string="Required Documents"
    )
    missing_item_ids = fields.Many2many(
        "beneficiary.document.type",
        string="Missing Documents",
        compute="_compute_missing",
        help="Required documents of the aid type not attached, or attached but expired "
        "before the request was received.",
    )
    missing_summary = fields.Text(
        string="Missing for the Next Step",
        compute="_compute_missing",
        help="Everything that keeps the request from its next step.",
    )

    # -- declaration of data accuracy ---------------------------------------------------
    declaration_text = fields.Text(default=lambda self: self._default_declaration_text())
    declaration_signature = fields.Binary(
        string="Applicant's Signature", copy=False, attachment=True
    )
    declaration_date = fields.Date(copy=False, tracking=True)
    declaration_officer_id = fields.Many2one(
        "res.users",
        string="Witnessing Officer",
        copy=False,
        domain=STAFF_DOMAIN,
    )

    # -- social research ------------------------------------------------------------
    researcher_id = fields.Many2one(
        "res.users",
        string="Social Researcher",
        tracking=True,
        index=True,
        domain=STAFF_DOMAIN,
    )
    research_report = fields.Html(groups=RESEARCH_GROUPS, copy=False)
    research_recommendation = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject"), ("more_info", "More information needed")],
        groups=RESEARCH_GROUPS,
        tracking=True,
        copy=False,
    )
    research_date = fields.Date(groups=RESEARCH_GROUPS, copy=False)

    # -- committee --------------------------------------------------------------------
    committee_id = fields.Many2one(
        "beneficiary.committee", string="Committee", tracking=True, check_company=True, index=True
    )
    committee_submitted_date = fields.Date(
        string="Submitted to Committee", copy=False, tracking=True, readonly=True
    )
    answer_days = fields.Integer(
        string="Answer Window (days)",
        copy=False,
        readonly=True,
        help="The company's answer window when the request was submitted to the committee: "
        "the promise made then does not change if the setting changes later.",
    )
    decision_deadline = fields.Date(
        string="Decision Date Promised",
        compute="_compute_decision_deadline",
        store=True,
        index=True,
    )
    decision_deadline_hijri = fields.Char(
        string="Decision Date Promised (Hijri)", compute="_compute_hijri_dates"
    )
    days_remaining = fields.Integer(compute="_compute_urgency")
    urgency = fields.Selection(
        [("on_time", "On Time"), ("due_soon", "Due Soon"), ("overdue", "Overdue")],
        compute="_compute_urgency",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        store=True,
        index=True,
        help="Undecided after the promised decision date. Recomputed every day.",
    )
    decision = fields.Selection(
        [("approved", "Approved"), ("rejected", "Rejected")],
        tracking=True,
        copy=False,
        readonly=True,
        index=True,
    )
    decision_date = fields.Date(copy=False, readonly=True, tracking=True)
    decision_date_hijri = fields.Char(string="Decision Date (Hijri)", compute="_compute_hijri_dates")
    decision_reason = fields.Text(
        copy=False,
        tracking=True,
        help="The committee's reason, in the chair's words (their comment on their own vote); "
        "it is sent to the applicant with the decision.",
    )
    decision_tally = fields.Char(
        string="Vote Tally", copy=False, readonly=True, help="For the staff; not sent to the applicant."
    )
    decision_days = fields.Integer(
        string="Days to Decision",
        compute="_compute_decision_stats",
        store=True,
        aggregator="avg",
        help="Calendar days from the submission to the committee to the decision.",
    )
    decided_on_time = fields.Boolean(
        string="Decided on Time", compute="_compute_decision_stats", store=True
    )
    on_time_rate = fields.Float(
        string="Decided on Time (%)",
        compute="_compute_decision_stats",
        store=True,
        aggregator="avg",
        help="100 for a request decided within the promised window, 0 otherwise; its "
        "average over decided requests is the share decided on time.",
    )
    vote_ids = fields.One2many("beneficiary.committee.vote", "request_id", string="Votes", copy=False)
    conflict_member_ids = fields.Many2many(
        "res.users",
        "beneficiary_request_conflict_rel",
        "request_id",
        "user_id",
        string="Members in Conflict of Interest",
        copy=False,
        readonly=True,
    )
    my_vote = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject"), ("abstain", "Abstain")],
        compute="_compute_votes",
    )
    is_committee_member = fields.Boolean(compute="_compute_votes")
    is_committee_chair = fields.Boolean(compute="_compute_votes")
    my_conflict = fields.Boolean(string="I Declared a Conflict", compute="_compute_votes")
    can_vote = fields.Boolean(compute="_compute_votes")
    awaiting_my_vote = fields.Boolean(
        compute="_compute_votes", search="_search_awaiting_my_vote"
    )
    can_see_tally = fields.Boolean(compute="_compute_votes")
    vote_cast_count = fields.Integer(string="Votes Cast", compute="_compute_votes")
    vote_eligible_count = fields.Integer(string="Eligible Members", compute="_compute_votes")
    vote_approve_count = fields.Integer(string="Approvals", compute="_compute_votes")
    vote_reject_count = fields.Integer(string="Rejections", compute="_compute_votes")
    vote_abstain_count = fields.Integer(string="Abstentions", compute="_compute_votes")
    # no sum in the kanban column headers: a total of quorums means nothing
    quorum = fields.Integer(related="committee_id.quorum", aggregator=None)
    quorum_reached = fields.Boolean(compute="_compute_votes")

    # -- delivery ---------------------------------------------------------------------
    delivery_date = fields.Date(copy=False, tracking=True)
    delivered_description = fields.Text(string="What Was Delivered", copy=False)

    # -- beneficiary satisfaction -------------------------------------------------------
    feedback_url = fields.Char(
        string="Feedback Link",
        copy=False,
        readonly=True,
        groups="beneficiary_relations.group_beneficiary_officer",
        help="The public page where the beneficiary rates the service, sent when the aid is "
        "delivered and printed as a QR code on the delivery receipt.",
    )
    feedback_link_expiry = fields.Datetime(string="Feedback Link Valid Until", copy=False, readonly=True)
    # the last whole day the link works, in the association's calendar: what the beneficiary is told
    feedback_link_last_day = fields.Date(string="Feedback Link Last Day", compute="_compute_feedback_link_last_day")
    feedback_link_sent = fields.Boolean(
        string="Feedback Link Sent", copy=False, readonly=True, index=True
    )
    feedback_ids = fields.One2many("beneficiary.feedback", "request_id", string="Ratings")
    # the ratings are read by officers and managers (beneficiary.feedback), not by the
    # researcher, the committee or the accountant through the request
    feedback_rating = fields.Integer(
        string="Satisfaction Rating", compute="_compute_feedback_rating", store=True, aggregator="avg",
        groups="beneficiary_relations.group_beneficiary_officer",
    )

    # -- defaults -----------------------------------------------------------------------
    def _default_stage(self):
        return self.env["beneficiary.request.stage"].search([("kind", "=", "received")], limit=1)

    def _default_declaration_text(self):
        return self.env._(
            "I, the applicant, confirm that all the data and documents I have given the "
            "association are correct and complete, and that I am directly responsible for "
            "their correctness."
        )

    def init(self):
        # Each kanban column loads its first cards in the board's order: with this
        # index PostgreSQL reads those cards instead of sorting the whole stage.
        create_index(
            self.env.cr,
            "beneficiary_request_kanban_order_index",
            self._table,
            ["stage_id", "priority DESC", "decision_deadline", "submitted_date DESC", "id DESC"],
        )
        # The board's counts (requests per column, the progress bars, the length of
        # each column) group by stage and kanban state under the record rules, which
        # filter on the company and, for committee members, on the committee and the
        # step: with all of them in one index PostgreSQL counts from the index alone,
        # a member's requests as one range of it, instead of reading the table.
        create_index(
            self.env.cr,
            "beneficiary_request_board_index",
            self._table,
            ["committee_id", "stage_id", "kanban_state", "company_id", "stage_kind"],
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        # show every stage as a kanban column, even when empty
        return stages.search([])

    # -- computes -----------------------------------------------------------------------
    @api.depends("submitted_date", "decision_deadline", "decision_date")
    @api.depends_context("lang")
    def _compute_hijri_dates(self):
        lang = self.env.lang
        for request in self:
            request.submitted_date_hijri = hijri.format_hijri(request.submitted_date, lang)
            request.decision_deadline_hijri = hijri.format_hijri(request.decision_deadline, lang)
            request.decision_date_hijri = hijri.format_hijri(request.decision_date, lang)

    @api.depends("committee_submitted_date", "answer_days", "company_id.beneficiary_answer_days")
    def _compute_decision_deadline(self):
        for request in self:
            # the window promised at submission; the company's current one until then
            days = request.answer_days or request.company_id.beneficiary_answer_days
            submitted = request.committee_submitted_date
            request.decision_deadline = deadlines.decision_deadline(submitted, days) if submitted and days > 0 else False

    @api.depends("decision_deadline", "decision")
    def _compute_urgency(self):
        today_of = self._association_days()
        values_of = {}
        for request in self:
            deadline, today = request.decision_deadline, today_of[request.company_id.id]
            values_of[request.id] = {
                "urgency": deadlines.urgency(deadline, today, bool(request.decision)) or False,
                "days_remaining": deadlines.days_remaining(deadline, today) or 0,
            }
        self._assign_per_value(values_of)

    def _association_days(self):
        """Today for each request's association, by company id (see
        res.company._beneficiary_today); the current company's for a request without one."""
        days = {company.id: company._beneficiary_today() for company in self.company_id}
        return defaultdict(self.env.company._beneficiary_today, days)

    def _assign_per_value(self, values_of):
        """Store computed values given as ``{record id: {field: value}}`` with one
        assignment per field and value rather than one per record and field: the
        kanban computes its cards' fields for a whole column at once, and the ORM's
        bookkeeping is paid per assignment, not per record."""
        ids_of = defaultdict(lambda: defaultdict(list))
        for record_id, values in values_of.items():
            for name, value in values.items():
                ids_of[name][value].append(record_id)
        for name, ids_by_value in ids_of.items():
            for value, ids in ids_by_value.items():
                self.browse(ids)[name] = value

    @api.depends("decision_deadline", "decision")
    def _compute_is_overdue(self):
        today = self._association_days()
        for request in self:
            request.is_overdue = deadlines.is_overdue(
                request.decision_deadline, today[request.company_id.id], bool(request.decision)
            )

    @api.depends("committee_submitted_date", "decision_deadline", "decision_date")
    def _compute_decision_stats(self):
        for request in self:
            on_time = deadlines.decided_within_window(request.decision_deadline, request.decision_date)
            request.decision_days = deadlines.days_to_decision(
                request.committee_submitted_date, request.decision_date
            ) or 0
            request.decided_on_time = on_time
            request.on_time_rate = 100.0 if on_time else 0.0

    @api.depends(
        "aid_type_id.required_document_type_ids",
        "document_ids.document_type_id",
        "document_ids.expiry_date",
        "submitted_date",
        "stage_id",
        "beneficiary_id.identity_number",
        "beneficiary_id.identity_expiry",
        "declaration_signature",
        "researcher_id",
        "research_report",
        "research_recommendation",
        "committee_id",
        "decision",
        "delivered_description",
    )
    def _compute_missing(self):
        DocumentType = self.env["beneficiary.document.type"]
        for request in self:
            facts = request._workflow_facts()
            document_codes = [
                code.split(":", 1)[1]
                for code in workflow.missing_for(workflow.VERIFIED, facts)
                if code.startswith(("missing_document:", "document_expired:"))
            ]
            request.missing_item_ids = DocumentType.browse(int(code) for code in document_codes)
            kind = request.stage_kind or workflow.RECEIVED
            next_kinds = workflow.NEXT[kind]
            if not next_kinds or kind == workflow.COMMITTEE:
                request.missing_summary = False
                continue
            codes = workflow.transition_problems(kind, next_kinds[0], facts)
            request.missing_summary = "\n".join(request._problem_messages(codes)) or False

    @api.depends("vote_ids.member_id", "vote_ids.vote", "committee_id", "conflict_member_ids", "decision")
    @api.depends_context("uid")
    def _compute_votes(self):
        """Everything the cards and the form show about the vote, for the whole batch
        from one reading of its committees, conflicts and votes (see ``_vote_facts``)."""
        uid = self.env.uid
        facts = self._vote_facts()
        values_of = {}
        for request in self:
            committee, members, conflicts, votes = facts[request.id]
            eligible = members - conflicts
            outcome = request._tally(committee, eligible, votes)
            member = uid in members
            chair = bool(committee) and committee.chair_id.id == uid
            show_tally = bool(request.decision) or chair
            can_vote = member and uid not in conflicts and request.stage_kind == "committee" and not request.decision
            values_of[request.id] = {
                "my_vote": votes.get(uid, False),
                "is_committee_member": member,
                "is_committee_chair": chair,
                "my_conflict": uid in conflicts,
                "can_vote": can_vote,
                "awaiting_my_vote": can_vote and uid not in votes,
                "can_see_tally": show_tally,
                "vote_cast_count": outcome.cast if outcome else 0,
                "vote_eligible_count": len(eligible) if committee else 0,
                "vote_approve_count": outcome.approve if outcome and show_tally else 0,
                "vote_reject_count": outcome.reject if outcome and show_tally else 0,
                "vote_abstain_count": outcome.abstain if outcome and show_tally else 0,
                "quorum_reached": bool(outcome and outcome.quorum_reached),
            }
        self._assign_per_value(values_of)

    @api.model
    def _search_awaiting_my_vote(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Awaiting My Vote."))
        uid = self.env.uid
        if not (self.env.su or self.env.user.has_group(COMMITTEE_GROUP)):
            # Only members vote, and the other roles may not read the votes that the
            # search below goes through: nothing awaits their vote.
            return expression.FALSE_DOMAIN if (operator == "=") == value else expression.TRUE_DOMAIN
        domain = [
            ("stage_kind", "=", "committee"),
            ("decision", "=", False),
            ("committee_id.member_ids", "in", uid),
            ("conflict_member_ids", "not any", [("id", "=", uid)]),
            ("vote_ids", "not any", [("member_id", "=", uid)]),
        ]
        if (operator == "=") == value:
            return domain
        return ["!"] + expression.normalize_domain(domain)

    # -- voting helpers -----------------------------------------------------------------
    def _eligible_members(self):
        """Committee members who may vote on this request (no conflict of interest)."""
        self.ensure_one()
        request = self.sudo()
        return request.committee_id.member_ids - request.conflict_member_ids

    def _vote_outcome(self):
        """Tally of the eligible members' votes by the committee's rule (``None`` without
        a committee)."""
        self.ensure_one()
        committee, members, conflicts, votes = self._vote_facts()[self.id]
        return self._tally(committee, members - conflicts, votes)

    @api.model
    def _tally(self, committee, eligible, votes):
        """The committee's rule applied to the votes of the ``eligible`` member ids
        (``votes``: ``{member id: vote}``); ``None`` without a committee."""
        if not committee:
            return None
        cast = [vote for member_id, vote in votes.items() if member_id in eligible]
        return voting.tally(cast, max(committee.quorum, 1), committee.decision_rule)

    def _vote_facts(self):
        """``{request id: (committee, member ids, conflicted member ids, {member id:
        vote})}`` for the whole batch, read as superuser (members may not read each
        other's votes) in a fixed number of queries whatever the size of the batch:
        the kanban asks for every card of a column at once. The ids are plain sets so
        that nothing is looked up card by card."""
        requests = self.sudo()
        committees = requests.committee_id
        committees.fetch(["member_ids", "chair_id", "quorum", "decision_rule"])
        members_of = {committee.id: frozenset(committee.member_ids.ids) for committee in committees}
        # only a member of the request's committee votes or declares a conflict (see
        # _vote_problem): the requests without a committee have neither to read
        saved = requests.filtered("committee_id")._origin  # a form's unsaved copy reads the request it edits
        saved.fetch(["conflict_member_ids"])
        votes_of = {}
        if saved:
            # plain rows (execute_query flushes the votes first): they are only counted
            Vote = self.env["beneficiary.committee.vote"].sudo()
            query = Vote._search([("request_id", "in", saved.ids)])
            columns = [Vote._field_to_sql(Vote._table, name, query) for name in ("request_id", "member_id", "vote")]
            rows = self.env.execute_query(query.select(*columns))
            for request_id, member_id, vote in rows:
                votes_of.setdefault(request_id, {})[member_id] = vote
        facts = {}
        for request in requests:
            committee = request.committee_id
            if not committee:
                facts[request.id] = (committee, frozenset(), frozenset(), {})
                continue
            facts[request.id] = (
                committee,
                members_of[committee.id],
                frozenset(request.conflict_member_ids.ids),
                votes_of.get(request._origin.id, {}),
            )
        return facts

    def _vote_closed_problem(self):
        """Why nobody may vote on this request now, or ``False``."""
        self.ensure_one()
        request = self.sudo()
        if request.decision:
            return self.env._(
                "The vote is closed: the committee already decided on %(request)s.", request=request.name
            )
        if request.stage_kind != "committee":
            return self.env._(
                "%(request)s is not at the committee stage: votes are cast only there.", request=request.name
            )
        return False

    def _vote_problem(self, member):
        """Why ``member`` may not vote (or change their vote) on this request, or ``False``."""
        self.ensure_one()
        request = self.sudo()
        problem = request._vote_closed_problem()
        if problem:
            return problem
        if member not in request.committee_id.member_ids:
            return self.env._(
                "%(member)s is not a member of the committee that studies %(request)s.",
                member=member.name,
                request=request.name,
            )
        if member in request.conflict_member_ids:
            return self.env._(
                "%(member)s declared a conflict of interest on %(request)s and cannot vote on it.",
                member=member.name,
                request=request.name,
            )
        return False

    def _cast_vote(self, value):
        self.ensure_one()
        problem = self._vote_problem(self.env.user)
        if problem:
            raise UserError(problem)
        Vote = self.env["beneficiary.committee.vote"]
        vote = Vote.search([("request_id", "=", self.id), ("member_id", "=", self.env.uid)])
        if vote:
            vote.vote = value
        else:
            Vote.create({"request_id": self.id, "member_id": self.env.uid, "vote": value})
        return True

    def action_vote_approve(self):
        return self._cast_vote("approve")

    def action_vote_reject(self):
        return self._cast_vote("reject")

    def action_vote_abstain(self):
        return self._cast_vote("abstain")

    def action_open_my_vote(self):
        """Open the current member's vote in a dialog, to add or change a comment."""
        self.ensure_one()
        vote = self.env["beneficiary.committee.vote"].search(
            [("request_id", "=", self.id), ("member_id", "=", self.env.uid)]
        )
        if not vote:
            problem = self._vote_problem(self.env.user)
            if problem:
                raise UserError(problem)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("My Vote"),
            "res_model": "beneficiary.committee.vote",
            "res_id": vote.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_request_id": self.id, "default_member_id": self.env.uid},
        }

    def action_declare_conflict(self):
        """The current member declares a conflict of interest: their vote, if any, is
        withdrawn and they no longer count toward the quorum."""
        user = self.env.user
        for request in self.sudo():
            if user in request.conflict_member_ids:
                continue
            problem = request._vote_problem(user)
            if problem:
                raise UserError(problem)
            request.vote_ids.filtered(lambda vote: vote.member_id == user).unlink()
            request.conflict_member_ids = [fields.Command.link(user.id)]
            request.activity_unlink(["beneficiary_relations.mail_activity_request_vote"], user_id=user.id)
            request.message_post(
                body=self.env._("%(member)s declared a conflict of interest and will not vote.", member=user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_close_vote(self):
        """The chair closes the vote once the quorum is reached: the committee's rule
        gives the decision, the request moves to its approved or rejected stage and the
        applicant is notified."""
        today = self._association_days()
        for request in self:
            committee = request.sudo().committee_id
            if not self.env.su and committee.chair_id != self.env.user:
                raise UserError(
                    self.env._(
                        "Only the chair of %(committee)s, %(chair)s, can close the vote.",
                        committee=committee.name,
                        chair=committee.chair_id.name or self.env._("nobody yet"),
                    )
                )
            problem = request._vote_closed_problem()
            if problem:
                raise UserError(problem)
            outcome = request._vote_outcome()
            if not outcome.quorum_reached:
                raise UserError(
                    self.env._(
                        "The quorum is not reached for %(request)s: %(cast)s of the %(quorum)s votes needed.",
                        request=request.name,
                        cast=outcome.cast,
                        quorum=outcome.quorum,
                    )
                )
            stage = request._stage_of_kind(outcome.decision)
            request.sudo().write(
                {
                    "decision": outcome.decision,
                    "decision_date": today[request.company_id.id],
                    "decision_reason": request._decision_reason(),
                    "decision_tally": request._decision_tally(outcome),
                    "stage_id": stage.id,
                }
            )
            request.sudo()._notify_decision()
        return True

    def _decision_reason(self):
        """The reason sent to the applicant: the chair's comment on their own vote.
        Meant to be inherited by associations that want more."""
        self.ensure_one()
        request = self.sudo()
        chair_vote = request.vote_ids.filtered(lambda vote: vote.member_id == request.committee_id.chair_id)
        return (chair_vote.comment or "").strip() or False

    def _decision_tally(self, outcome):
        """The counts behind the decision, for the staff (never in the applicant's mail,
        whose language may differ from the chair's)."""
        self.ensure_one()
        committee = self.sudo().committee_id
        rule = dict(committee._fields["decision_rule"]._description_selection(self.env))
        return self.env._(
            "%(approve)s approve, %(reject)s reject, %(abstain)s abstain (%(rule)s, quorum %(quorum)s).",
            approve=outcome.approve,
            reject=outcome.reject,
            abstain=outcome.abstain,
            rule=rule[committee.decision_rule],
            quorum=outcome.quorum,
        )

    def _notify_decision(self):
        """Send the decision notice to the applicant, in their language."""
        template = self.env.ref("beneficiary_relations.mail_template_request_decision", raise_if_not_found=False)
        if not template:
            return
        for request in self.filtered("partner_id"):
            request.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    # -- workflow guard -------------------------------------------------------------------
    def _workflow_facts(self):
        """What :mod:`policy.workflow` needs to know, read as superuser so that the
        guard is the same for every user who may move the request."""
        self.ensure_one()
        request = self.sudo()
        beneficiary = request.beneficiary_id
        return workflow.RequestFacts(
            submitted_on=request.submitted_date or None,
            aid_type=bool(request.aid_type_id),
            identity_number=bool(beneficiary.identity_number),
            identity_expiry=beneficiary.identity_expiry or None,
            required_documents=tuple(str(doc_type.id) for doc_type in request.required_document_type_ids),
            documents=tuple(
                (str(document.document_type_id.id), document.expiry_date or None)
                for document in request.document_ids
                if document.attachment
            ),
            declaration_signed=bool(request.declaration_signature),
            researcher=bool(request.researcher_id),
            research_report=not is_html_empty(request.research_report),
            research_recommendation=bool(request.research_recommendation),
            committee=bool(request.committee_id),
            decision=request.decision or None,
            delivery=bool((request.delivered_description or "").strip()),
        )

    def _problem_messages(self, codes):
        """Translate the codes of :mod:`policy.workflow` into sentences a user acts on."""
        self.ensure_one()
        request = self.sudo()
        _ = self.env._
        simple = {
            "aid_type_missing": _("Choose the aid type."),
            "submission_date_missing": _("The date the request was received is missing."),
            "identity_missing": _("The applicant's national ID or iqama number is missing."),
            "identity_expiry_missing": _("The expiry date of the applicant's ID is missing."),
            "declaration_missing": _("The applicant has not signed the declaration of data accuracy."),
            "researcher_missing": _("Assign a social researcher."),
            "research_report_missing": _("The research report is missing."),
            "research_recommendation_missing": _("The researcher's recommendation is missing."),
            "committee_missing": _("Choose the research committee."),
            "decision_missing": _("The committee has not decided yet: the chair closes the vote."),
            "decision_not_approved": _("The committee did not approve this request."),
            "decision_not_rejected": _("The committee did not reject this request."),
            "delivery_missing": _("Describe what was delivered."),
            "manager_required": _("Only a manager can move a request back to an earlier step."),
        }
        doc_types = self.env["beneficiary.document.type"].sudo()
        messages = []
        for code in codes:
            kind, __, arg = code.partition(":")
            if code in simple:
                messages.append(simple[code])
            elif code == "identity_expired":
                expiry = request.beneficiary_id.identity_expiry
                values = {
                    "hijri": hijri.format_hijri_numeric(expiry),
                    "date": fields.Date.to_string(expiry),
                    "received": fields.Date.to_string(request.submitted_date),
                }
                if request.beneficiary_id.identity_type == "iqama":
                    messages.append(
                        _("The iqama expired on %(hijri)s (%(date)s), before the request was received on %(received)s.", **values)
                    )
                else:
                    messages.append(
                        _("The national ID expired on %(hijri)s (%(date)s), before the request was received on %(received)s.", **values)
                    )
            elif kind == "missing_document":
                messages.append(_("Missing document: %(document)s", document=doc_types.browse(int(arg)).name))
            elif kind == "document_expired":
                messages.append(
                    _(
                        "Expired document: %(document)s (it expired before the request was received).",
                        document=doc_types.browse(int(arg)).name,
                    )
                )
            else:
                messages.append(code)
        return messages

    def _check_stage_change(self, stage, source_kind=None):
        """The one guard of stage changes (buttons, status bar and kanban drag-and-drop
        all write ``stage_id``): raise a UserError listing everything missing."""
        is_manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        errors = []
        for request in self:
            source = source_kind or request.stage_kind or workflow.RECEIVED
            codes = workflow.transition_problems(source, stage.kind, request._workflow_facts(), is_manager)
            if codes == [workflow.STEP_NOT_ALLOWED]:
                kinds = dict(stage._fields["kind"]._description_selection(self.env))
                source_name = kinds[source] if source_kind else request.stage_id.name
                messages = [
                    self.env._(
                        "A request cannot go from %(from_stage)s to %(to_stage)s: steps are taken in order, "
                        "and only a manager moves a request back before it reaches the committee.",
                        from_stage=source_name,
                        to_stage=stage.name,
                    )
                ]
            else:
                messages = request._problem_messages(codes)
            if messages:
                errors.append(
                    self.env._("%(request)s cannot move to %(stage)s:", request=request.name, stage=stage.name)
                    + "\n"
                    + "\n".join(f"- {message}" for message in messages)
                )
        if errors:
            raise UserError("\n\n".join(errors))

    def _stage_of_kind(self, kind):
        stage = self.env["beneficiary.request.stage"].search([("kind", "=", kind)], limit=1)
        if not stage:
            kinds = dict(self.env["beneficiary.request.stage"]._fields["kind"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No stage of the step %(kind)s exists; ask a manager to create one.",
                    kind=kinds.get(kind, kind),
                )
            )
        return stage

    def _move_to(self, kind):
        self.write({"stage_id": self._stage_of_kind(kind).id})
        return True

    def _on_enter_kind(self, kind):
        """Stamp dates and schedule activities when requests enter a new step. Called
        from ``write`` so buttons and drag-and-drop behave the same; meant to be inherited."""
        today = self._association_days()
        user = self.env.user
        if kind == workflow.DECLARED:
            for request in self:
                request.write(
                    {
                        "declaration_date": request.declaration_date or today[request.company_id.id],
                        "declaration_officer_id": (request.declaration_officer_id or user).id,
                    }
                )
        elif kind == workflow.RESEARCH:
            self._schedule_activities(
                "beneficiary_relations.mail_activity_request_research",
                [(request, request.researcher_id, False) for request in self],
            )
        elif kind == workflow.COMMITTEE:
            for request in self.sudo():  # the promise is the workflow's, not the user's
                request.write(
                    {
                        "committee_submitted_date": today[request.company_id.id],
                        "answer_days": request.company_id.beneficiary_answer_days,
                    }
                )
            self.sudo().activity_feedback(["beneficiary_relations.mail_activity_request_research"])
            self._schedule_activities(
                "beneficiary_relations.mail_activity_request_vote",
                [
                    (request, member, request.decision_deadline)
                    for request in self
                    for member in request._eligible_members()
                ],
            )
        elif kind in (workflow.APPROVED, workflow.REJECTED):
            self.sudo().activity_unlink(["beneficiary_relations.mail_activity_request_vote"])
            approved = self.filtered(lambda request: request.decision == "approved")
            self._schedule_activities(
                "beneficiary_relations.mail_activity_request_delivery",
                [(request, request.officer_id, False) for request in approved],
            )
        elif kind == workflow.DELIVERED:
            for request in self.filtered(lambda request: not request.delivery_date):
                request.delivery_date = today[request.company_id.id]
            self.sudo().activity_feedback(["beneficiary_relations.mail_activity_request_delivery"])
            self._send_feedback_links()

    def _schedule_activities(self, activity_xmlid, assignments):
        """Create one activity per ``(request, user, deadline)`` in one batch; without a
        deadline the activity type's delay applies."""
        activity_type = self.env.ref(activity_xmlid, raise_if_not_found=False)
        assignments = [(request, user, deadline) for request, user, deadline in assignments if user]
        if not activity_type or not assignments:
            return
        model_id = self.env["ir.model"]._get_id(self._name)
        # the type's delay counted from the association's day (Odoo counts from the user's)
        default_deadline = {
            company: activity_type.with_context(tz=company.beneficiary_tz)._get_date_deadline()
            for company in {request.company_id for request, _user, _deadline in assignments}
        }
        self.env["mail.activity"].sudo().create(
            [
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": request.id,
                    "user_id": user.id,
                    "automated": True,
                    "summary": activity_type.summary,
                    "date_deadline": deadline or default_deadline[request.company_id],
                }
                for request, user, deadline in assignments
            ]
        )

    # -- beneficiary satisfaction -------------------------------------------------------
    @api.depends("feedback_ids.rating")
    def _compute_feedback_rating(self):
        for request in self:
            request.feedback_rating = request.feedback_ids[:1].rating

    @api.depends("feedback_link_expiry", "company_id.beneficiary_tz")
    def _compute_feedback_link_last_day(self):
        for request in self:
            expiry = request.feedback_link_expiry
            request.feedback_link_last_day = (
                (request.company_id or self.env.company)._beneficiary_day_of(expiry - timedelta(seconds=1))
                if expiry
                else False
            )

    def _send_feedback_links(self):
        """Mint each request's feedback link and send it to the beneficiary.

        Delivery never fails for the sake of a link: when the service is not
        configured, the request's chatter says so and the officer can send the
        link later with *Send Feedback Link*.
        """
        settings = self.env["res.config.settings"].sudo()
        secret, base_url = settings._beneficiary_feedback_secret(), settings._beneficiary_feedback_url()
        if not (secret and base_url):
            for request in self:
                request.message_post(
                    body=self.env._(
                        "No feedback link was sent: the feedback service's address and shared secret "
                        "are not set in the settings."
                    )
                )
            return False
        days = settings._beneficiary_feedback_days()
        today = self._association_days()
        template = self.env.ref("beneficiary_relations.mail_template_feedback_link")
        mails = self.env["mail.mail"].sudo()
        for request in self:
            # valid through the whole of its last day, as the beneficiary reads "valid until"
            company = request.company_id or self.env.company
            expiry = company._beneficiary_end_of_day(today[company.id] + timedelta(days=days))
            token = feedback_token.make_token(
                secret, request.name, int(expiry.replace(tzinfo=timezone.utc).timestamp())
            )
            request.sudo().write(
                {
                    "feedback_url": "%s/r/%s" % (base_url.rstrip("/"), token),
                    "feedback_link_expiry": expiry,
                    "feedback_link_sent": True,
                }
            )
            if request.beneficiary_id.contact_consent and request.partner_id.email:
                # Whoever holds the link can rate in the beneficiary's place, and a request's
                # chatter is read by its researcher, the committee and the accountants: the
                # e-mail goes out tied to no record (its recipient alone reads it, and it is
                # deleted once sent), and the chatter only notes that it went.
                mails |= mails.browse(
                    template.sudo().send_mail(
                        request.id,
                        email_layout_xmlid="mail.mail_notification_light",
                        email_values={"model": False, "res_id": False},
                    )
                )
                request.sudo().message_post(
                    body=self.env._(
                        "The rating link was e-mailed to the beneficiary; it is valid until %(day)s.",
                        day=format_date(self.env, request.feedback_link_last_day),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        # once the delivery is committed, as a chatter notification goes, not at the mail queue's
        # next run (hourly)
        mails.send_after_commit()
        return True

    def action_send_feedback_link(self):
        """Mint a new link (a reprint, or after the service was configured) and send it."""
        if self.filtered(lambda request: request.stage_kind not in (workflow.DELIVERED, workflow.CLOSED)):
            raise UserError(self.env._("A feedback link is sent only once the aid is delivered."))
        if self.filtered("feedback_ids"):
            raise UserError(self.env._("This request was already rated: thank you."))
        if not self._send_feedback_links():
            raise UserError(
                self.env._(
                    "Set the feedback service's public address and shared secret in "
                    "Settings > Beneficiary Relations first."
                )
            )
        return True

    def action_print_receipt(self):
        return self.env.ref("beneficiary_relations.action_report_request_receipt").report_action(self)

    # -- ORM --------------------------------------------------------------------------------
    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        """The chatter is the request's record: its steps, the decision, the notices sent to
        the applicant. Changing or deleting a message someone else wrote takes the right to
        delete requests (managers), not only to edit them: an officer could otherwise erase
        the tracking of a decision. Authors still edit their own notes."""
        if operation in ("write", "unlink"):
            return "unlink"
        return super()._get_mail_message_access(res_ids, operation, model_name=model_name)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                # dated, and numbered in the year of, the day received in its association's calendar
                vals["submitted_date"] = vals.get("submitted_date") or company._beneficiary_today()
                vals["name"] = company._beneficiary_request_sequence().next_by_id(
                    sequence_date=vals["submitted_date"]
                )
        if not self.env.su:
            for vals in vals_list:
                self._check_workflow_fields(vals)
        requests = super().create(vals_list)
        for request in requests.filtered(lambda r: r.stage_kind and r.stage_kind != workflow.RECEIVED):
            request._check_stage_change(request.stage_id, source_kind=workflow.RECEIVED)
        return requests

    def _decided_on_fields(self):
        """Fields that no longer change once the committee decided (extended by other addons)."""
        return DECIDED_ON_FIELDS

    def _check_workflow_fields(self, vals):
        """Refuse, from a user, a value that only the workflow may give: through the
        API or an import, not just on the screen, where these fields are read-only."""
        if any(field in vals for field in DECISION_FIELDS):
            raise UserError(self.env._("The decision is recorded only by the chair closing the committee vote."))
        if any(field in vals for field in COMMITTEE_ENTRY_FIELDS):
            raise UserError(
                self.env._(
                    "The date of submission to the committee and the answer window are set when "
                    "the request is submitted to the committee."
                )
            )
        if any(field in vals for field in CONFLICT_FIELDS):
            raise UserError(
                self.env._("A committee member declares their own conflict of interest, with the button on the request.")
            )
        if any(field in vals for field in FEEDBACK_LINK_FIELDS):
            raise UserError(self.env._("The feedback link is recorded only by sending it, with the button on the request."))
        if "feedback_rating" in vals:
            # computed from the beneficiary's rating, and shown on the request's form
            raise UserError(self.env._("A request's satisfaction rating is the beneficiary's, from the rating page."))
        locked = [name for name in self._decided_on_fields() if name in vals]
        decided = self.filtered("decision") if locked else self.browse()
        if decided:
            raise UserError(
                self.env._(
                    "The committee decided on %(request)s as it stood: %(fields)s no longer change. "
                    "For another need, record a new request.",
                    request=decided[0].name,
                    fields=", ".join(self._fields[name].get_description(self.env)["string"] for name in locked),
                )
            )
        if "requested_amount" in vals and self.filtered("decision"):
            raise UserError(
                self.env._(
                    "The amount asked for is the one the committee decided on: it no longer changes. "
                    "For more aid, record a new request."
                )
            )
        if "committee_id" in vals:
            before = self.filtered(lambda request: request.stage_kind in (workflow.COMMITTEE, *workflow.DECIDED))
            if before:
                raise UserError(
                    self.env._(
                        "%(request)s is already before its committee: the committee no longer changes.",
                        request=before[0].name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        """A decided request is the record of a committee's decision, its votes and what was
        paid on it: it stays, as a refused one does."""
        decided = self.filtered("decision")
        if decided:
            raise UserError(
                self.env._(
                    "%(request)s was decided by the committee: it is kept with its votes. "
                    "Move it to Closed instead of deleting it.",
                    request=decided[0].name,
                )
            )

    def _check_identity_fields(self, vals):
        """Refuse, from a user, a change of what identifies a request to the beneficiary: its
        number, which their rating link names, and its applicant once they signed its
        declaration (the research, the vote and the aid are about that person)."""
        if "name" in vals and any(request.name != vals["name"] for request in self):
            raise UserError(
                self.env._(
                    "A request keeps the number it was given when it was recorded: the beneficiary's "
                    "receipt and rating link name it."
                )
            )
        if "beneficiary_id" not in vals:
            return
        changing = self.filtered(lambda request: request.beneficiary_id.id != vals["beneficiary_id"])
        if not changing:
            return
        # the officers record who applies; a researcher who could change it on a case of theirs
        # (sent back to verification, say) would read anyone's health and prison details
        if not self.env.user.has_group(OFFICER_GROUP):
            raise UserError(self.env._("Only a relations officer or a manager changes who applies for a request."))
        # signed: the signature drawn on the request (before its step is recorded) or any later step
        signed = changing.with_context(bin_size=True).filtered(
            lambda request: request.declaration_signature
            or request.stage_kind not in (False, workflow.RECEIVED, workflow.VERIFIED)
        )
        if signed:
            raise UserError(
                self.env._(
                    "The applicant of %(request)s signed its declaration: the applicant no longer "
                    "changes. For another applicant, record a new request.",
                    request=signed[0].name,
                )
            )

    def write(self, vals):
        if not self.env.su:
            self._check_workflow_fields(vals)  # first: a decided request says why it no longer changes
            self._check_identity_fields(vals)
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["beneficiary.request.stage"].browse(vals["stage_id"])
        if not stage:
            raise UserError(self.env._("A support request always stands in a stage."))
        other_vals = {key: value for key, value in vals.items() if key != "stage_id"}
        if other_vals:
            # apply what the form sends with the stage first: the guard judges the result
            super().write(other_vals)
        moving = self.filtered(lambda request: request.stage_id != stage)
        entering = moving.filtered(lambda request: request.stage_kind != stage.kind)
        moving._check_stage_change(stage)
        result = super().write({"stage_id": stage.id, "kanban_state": vals.get("kanban_state", "normal")})
        if entering and stage.kind:
            entering._on_enter_kind(stage.kind)
        return result

    # -- header buttons -----------------------------------------------------------------------
    def action_verify(self):
        return self._move_to(workflow.VERIFIED)

    def action_sign_declaration(self):
        return self._move_to(workflow.DECLARED)

    def action_send_to_research(self):
        return self._move_to(workflow.RESEARCH)

    def action_submit_to_committee(self):
        return self._move_to(workflow.COMMITTEE)

    def action_deliver(self):
        return self._move_to(workflow.DELIVERED)

    def action_close(self):
        return self._move_to(workflow.CLOSED)

    # -- cron ---------------------------------------------------------------------------------
    @api.model
    def _cron_overdue_digest(self):
        """Daily: refresh the stored overdue flag, then give each manager one activity
        listing the overdue requests of their associations (updated, never duplicated)."""
        # each association's requests against its own day, in one search
        domains = []
        for company in self.env["res.company"].sudo().search([]):
            today = company._beneficiary_today()
            domains.append(
                [
                    ("company_id", "=", company.id),
                    "|",
                    "&",
                    "&",
                    ("is_overdue", "=", False),
                    ("decision", "=", False),
                    ("decision_deadline", "<", today),
                    "&",
                    ("is_overdue", "=", True),
                    "|",
                    ("decision", "!=", False),
                    ("decision_deadline", ">=", today),
                ]
            )
        stale = self.search(expression.OR(domains))
        if stale:
            self.env.add_to_compute(self._fields["is_overdue"], stale)
            stale.flush_recordset(["is_overdue"])
        self._schedule_overdue_digests()

    def _schedule_overdue_digests(self):
        activity_type = self.env.ref("beneficiary_relations.mail_activity_request_overdue_digest")
        managers = self.env.ref(MANAGER_GROUP).users.filtered(lambda user: user.active and not user.share)
        overdue = self.search([("is_overdue", "=", True)], order="decision_deadline, id")
        Activity = self.env["mail.activity"].sudo()
        existing = Activity.search(
            [
                ("activity_type_id", "=", activity_type.id),
                ("res_model", "=", self._name),
                ("user_id", "in", managers.ids),
            ]
        )
        # Grouped before the loop removes any: a digest removed for one manager must not be read
        # again while looking for the next manager's.
        digests_of = existing.grouped("user_id")
        model_id = self.env["ir.model"]._get_id(self._name)
        to_create = []
        for manager in managers:
            theirs = overdue.filtered(lambda request: request.company_id in manager.company_ids).with_context(
                lang=manager.lang
            )
            current = digests_of.get(manager, Activity)
            if not theirs:
                current.unlink()
                continue
            values = {
                "res_id": theirs[0].id,
                "date_deadline": manager.company_id._beneficiary_today(),
                "note": theirs._overdue_digest_note(manager),
                "summary": theirs.env._("Overdue support requests: %(count)s", count=len(theirs)),
            }
            if current:
                current[1:].unlink()
                current[0].write(values)
            else:
                to_create.append(
                    dict(values, activity_type_id=activity_type.id, res_model_id=model_id, user_id=manager.id)
                )
        if to_create:
            Activity.create(to_create)

    def _overdue_digest_note(self, manager):
        # Request numbers, not applicants' names: the digest sits on one of the requests, whose
        # researcher and officers read it too, and lists the manager's other requests.
        several_companies = len(self.company_id) > 1
        lines = Markup("").join(
            Markup("<li>%s &mdash; %s</li>")
            % (
                f"{request.name} ({request.company_id.name})" if several_companies else request.name,
                self.env._(
                    "promised for %(date)s, days late: %(days)s",
                    date=format_date(self.env, request.decision_deadline, lang_code=manager.lang),
                    days=-request.days_remaining,
                ),
            )
            for request in self
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("These requests passed the decision date promised to the applicant:"),
            lines,
        )
