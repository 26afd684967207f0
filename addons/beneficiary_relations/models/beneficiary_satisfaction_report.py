from odoo import fields, models, tools


class BeneficiarySatisfactionReport(models.Model):
    """One row per request whose feedback link was sent, with its rating if any.

    Averages over these rows give the policy's satisfaction figures: the mean
    rating and the CSAT (share of 4-5 ratings) over rated rows only, because
    their columns are NULL when unrated, and the response rate over all rows.
    """

    _name = "beneficiary.satisfaction.report"
    _description = "Beneficiary Satisfaction Analysis"
    _auto = False
    _rec_name = "request_id"
    _order = "date desc"
    # flush these before reading the view, so the figures include pending writes
    _depends = {
        "beneficiary.request": [
            "aid_type_id", "channel_id", "officer_id", "company_id", "delivery_date", "feedback_link_sent",
        ],
        "beneficiary.feedback": ["request_id", "rating"],
    }

    request_id = fields.Many2one("beneficiary.request", string="Support Request", readonly=True)
    aid_type_id = fields.Many2one("beneficiary.aid.type", string="Aid Type", readonly=True)
    channel_id = fields.Many2one("beneficiary.channel", string="Channel", readonly=True)
    officer_id = fields.Many2one(
        "res.users",
        string="Relations Officer",
        readonly=True,
        groups="beneficiary_relations.group_beneficiary_manager",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(string="Delivery Date", readonly=True)
    link_count = fields.Integer(string="Links Sent", readonly=True)
    rated_count = fields.Integer(string="Ratings", readonly=True)
    rating = fields.Float(string="Average Rating", readonly=True, aggregator="avg")
    csat = fields.Float(string="Satisfaction Rate (%)", readonly=True, aggregator="avg")
    response_rate = fields.Float(string="Response Rate (%)", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT r.id AS id,
                       r.id AS request_id,
                       r.aid_type_id,
                       r.channel_id,
                       r.officer_id,
                       r.company_id,
                       r.delivery_date AS date,
                       1 AS link_count,
                       CASE WHEN f.id IS NULL THEN 0 ELSE 1 END AS rated_count,
                       f.rating::float AS rating,
                       CASE WHEN f.id IS NULL THEN NULL
                            WHEN f.rating >= 4 THEN 100.0 ELSE 0.0 END AS csat,
                       CASE WHEN f.id IS NULL THEN 0.0 ELSE 100.0 END AS response_rate
                  FROM beneficiary_request r
             LEFT JOIN beneficiary_feedback f ON f.request_id = r.id
                 WHERE r.feedback_link_sent
            )
            """
        )
