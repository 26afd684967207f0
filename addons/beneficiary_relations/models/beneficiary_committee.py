from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# What a vote is counted by. The chair may change mid-vote (among the members): someone
# must be able to close the vote when the chair is away.
VOTE_RULE_FIELDS = ("member_ids", "quorum", "decision_rule")


class BeneficiaryCommittee(models.Model):
    _name = "beneficiary.committee"
    _description = "Research Committee"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(string="Committee", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    member_ids = fields.Many2many(
        "res.users",
        "beneficiary_committee_member_rel",
        "committee_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="The users who vote on the requests submitted to this committee.",
    )
    chair_id = fields.Many2one(
        "res.users",
        string="Chair",
        domain="[('id', 'in', member_ids)]",
        help="The member who sees the tally before the decision and closes the vote.",
    )
    quorum = fields.Integer(
        default=1,
        help="Minimum number of votes (abstentions included) before the chair may "
        "close the vote. Members in conflict of interest never count.",
    )
    decision_rule = fields.Selection(
        [
            ("majority", "Simple majority"),
            ("two_thirds", "Two-thirds majority"),
            ("unanimity", "Unanimity"),
        ],
        required=True,
        default="majority",
        help="Simple majority: more approvals than rejections. Two-thirds: at least two "
        "approvals for each rejection. Unanimity: no rejection and at least one approval. "
        "Abstentions count toward the quorum only; a tie is never an approval.",
    )
    member_count = fields.Integer(compute="_compute_member_count", string="Number of Members")
    active = fields.Boolean(default=True)

    @api.depends("member_ids")
    def _compute_member_count(self):
        for committee in self:
            committee.member_count = len(committee.member_ids)

    @api.constrains("chair_id", "member_ids")
    def _check_chair_is_member(self):
        for committee in self:
            if committee.chair_id and committee.chair_id not in committee.member_ids:
                raise ValidationError(
                    self.env._(
                        "The chair of %(committee)s, %(chair)s, must be one of its members.",
                        committee=committee.name,
                        chair=committee.chair_id.name,
                    )
                )

    @api.constrains("quorum", "member_ids")
    def _check_quorum(self):
        for committee in self:
            if committee.quorum < 1:
                raise ValidationError(
                    self.env._("The quorum of %(committee)s must be at least one vote.", committee=committee.name)
                )
            if committee.quorum > len(committee.member_ids):
                raise ValidationError(
                    self.env._(
                        "The quorum of %(committee)s (%(quorum)s votes) cannot exceed its %(count)s members.",
                        committee=committee.name,
                        quorum=committee.quorum,
                        count=len(committee.member_ids),
                    )
                )

    def write(self, vals):
        if not self.env.su and any(field in vals for field in VOTE_RULE_FIELDS):
            self._check_no_vote_open()
        return super().write(vals)

    def _check_no_vote_open(self):
        """Who votes and how the votes count are fixed while a vote is open: adding oneself
        to a committee, or removing a member who voted, would change the outcome."""
        open_votes = self.env["beneficiary.request"].sudo()._read_group(
            [("committee_id", "in", self.ids), ("stage_kind", "=", "committee"), ("decision", "=", False)],
            ["committee_id"],
            ["__count"],
        )
        if open_votes:
            committee, count = open_votes[0]
            raise UserError(
                self.env._(
                    "%(count)s request(s) are before %(committee)s and not yet decided: its members, "
                    "quorum and rule change once the chair has closed those votes.",
                    count=count,
                    committee=committee.sudo().name,
                )
            )
