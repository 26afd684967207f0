from odoo import api, fields, models

from .beneficiary_request import MANAGER_GROUP


class BeneficiarySatisfactionMixin(models.AbstractModel):
    """Satisfaction figures of everything a request points to (aid type, channel).

    The inheriting model names the request field that points to it in
    ``_satisfaction_request_field``; the figures come from one grouped read of
    the satisfaction analysis, whatever the number of records shown.
    """

    _name = "beneficiary.satisfaction.mixin"
    _description = "Satisfaction Figures"
    _satisfaction_request_field = None

    # For the managers, as the satisfaction analysis they come from: computed as superuser, an
    # aid type's or a channel's figures with one rating in them are that beneficiary's rating,
    # which a role that may read the request (and not its rating) would then know.
    satisfaction_rating = fields.Float(
        string="Average Rating", compute="_compute_satisfaction", digits=(3, 2), groups=MANAGER_GROUP
    )
    satisfaction_csat = fields.Float(
        string="Satisfaction Rate (%)", compute="_compute_satisfaction", digits=(5, 1), groups=MANAGER_GROUP
    )
    satisfaction_response_rate = fields.Float(
        string="Response Rate (%)", compute="_compute_satisfaction", digits=(5, 1), groups=MANAGER_GROUP
    )
    satisfaction_count = fields.Integer(string="Ratings", compute="_compute_satisfaction", groups=MANAGER_GROUP)

    @api.depends_context("allowed_company_ids")
    def _compute_satisfaction(self):
        field = self._satisfaction_request_field
        # channels may be shared by associations: each sees the figures of its own ratings
        groups = self.env["beneficiary.satisfaction.report"].sudo()._read_group(
            [(field, "in", self.ids), ("company_id", "in", self.env.companies.ids)],
            groupby=[field],
            aggregates=["rating:avg", "csat:avg", "response_rate:avg", "rated_count:sum"],
        )
        figures = {record.id: values for record, *values in groups}
        for record in self:
            rating, csat, response_rate, count = figures.get(record.id, (0.0, 0.0, 0.0, 0))
            record.satisfaction_rating = rating or 0.0
            record.satisfaction_csat = csat or 0.0
            record.satisfaction_response_rate = response_rate or 0.0
            record.satisfaction_count = count or 0
