from odoo import api, fields, models
from odoo.exceptions import UserError

VOTES = [("approve", "Approve"), ("reject", "Reject"), ("abstain", "Abstain")]


class BeneficiaryCommitteeVote(models.Model):
    _name = "beneficiary.committee.vote"
    _description = "Committee Vote"
    _order = "request_id, id"
    _rec_name = "member_id"

    request_id = fields.Many2one(
        "beneficiary.request", string="Request", required=True, index=True, ondelete="cascade"
    )
    member_id = fields.Many2one(
        "res.users",
        string="Member",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    vote = fields.Selection(VOTES, required=True)
    comment = fields.Text()
    committee_id = fields.Many2one(related="request_id.committee_id", store=True, string="Committee")
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "request_member_uniq",
            "unique (request_id, member_id)",
            "A member votes only once on a request; change the existing vote instead.",
        ),
    ]

    def _check_open(self, request, member):
        """Refuse the vote, before anything is written, when ``member`` may not vote
        on ``request`` now: outside the committee stage, after the decision, not a
        member of its committee, or in conflict of interest."""
        if not self.env.su and member != self.env.user:
            raise UserError(self.env._("You can only cast or change your own vote."))
        problem = request._vote_problem(member)
        if problem:
            raise UserError(problem)

    @api.model_create_multi
    def create(self, vals_list):
        self.browse().check_access("create")  # the access rights speak before the vote rules
        Request = self.env["beneficiary.request"]
        Users = self.env["res.users"]
        for vals in vals_list:
            request = Request.browse(vals.get("request_id")).exists()
            if request:  # without a request the required field speaks for itself
                self._check_open(request, Users.browse(vals.get("member_id") or self.env.uid))
        votes = super().create(vals_list)
        votes._done_vote_activities()
        return votes

    def _done_vote_activities(self):
        """Mark the members' "Committee Vote" activities done, in one search."""
        activity_type = self.env.ref("beneficiary_relations.mail_activity_request_vote", raise_if_not_found=False)
        if not activity_type:
            return
        pairs = {(vote.request_id.id, vote.member_id.id) for vote in self}
        activities = self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "beneficiary.request"),
                ("res_id", "in", self.request_id.ids),
                ("activity_type_id", "=", activity_type.id),
                ("user_id", "in", self.member_id.ids),
            ]
        )
        activities.filtered(lambda activity: (activity.res_id, activity.user_id.id) in pairs).action_feedback()

    def write(self, vals):
        if "request_id" in vals or "member_id" in vals:
            raise UserError(
                self.env._("A vote cannot be moved to another request or member; cast a new vote instead.")
            )
        for vote in self:
            self._check_open(vote.request_id, vote.member_id)
        return super().write(vals)

    def unlink(self):
        for vote in self:
            self._check_open(vote.request_id, vote.member_id)
        return super().unlink()
