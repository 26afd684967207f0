from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..policy import local_day


class ResCompany(models.Model):
    _inherit = "res.company"

    beneficiary_answer_days = fields.Integer(
        string="Answer Window (days)",
        default=14,
        help="Calendar days the research committee has to answer a support request, counted "
        "from its submission to the committee: 14 for two weeks, 30 for one month.",
    )

    beneficiary_tz = fields.Selection(
        _tz_get,
        string="Time Zone of the Association",
        required=True,
        default=local_day.ASSOCIATION_TZ,
        help="The association's day: requests, declarations, decisions and deliveries are dated, "
        "and deadlines counted, in this time zone, whatever the time zone of the user who records them.",
    )

    @api.constrains("beneficiary_answer_days")
    def _check_beneficiary_answer_days(self):
        for company in self:
            if company.beneficiary_answer_days < 1:
                raise ValidationError(
                    self.env._(
                        "The answer window of %(company)s must be at least one day.", company=company.name
                    )
                )

    def _beneficiary_today(self):
        """Today in the association's calendar, whoever asks: the dates the policy
        records and counts from do not follow a staff member's own time-zone
        preference (see policy/local_day.py)."""
        return (self[:1] or self.env.company)._beneficiary_day_of(fields.Datetime.now())

    def _beneficiary_day_of(self, moment):
        """The association's day at the naive UTC datetime ``moment``."""
        self.ensure_one()
        return local_day.local_date(moment, self.sudo().beneficiary_tz)

    def _beneficiary_end_of_day(self, day):
        """The naive UTC moment the association's ``day`` ends (its next midnight)."""
        self.ensure_one()
        return local_day.end_of_day(day, self.sudo().beneficiary_tz)

    def _beneficiary_request_sequence(self):
        """The numbering of this company's support requests (REQ/year/00001)."""
        return self._beneficiary_numbering(
            "beneficiary.request",
            "beneficiary_relations.seq_beneficiary_request",
            lambda template: {"prefix": self._beneficiary_request_prefix(template.prefix)},
        )

    def _beneficiary_numbering(self, code, template_xmlid, copy_values=None):
        """The company's own sequence for ``code``, copied from the shared template
        on first use, so each association counts from 1 on its own.
        ``copy_values(template)`` may give the copy more values (its prefix)."""
        self.ensure_one()
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", code), ("company_id", "=", self.id)], limit=1)
        if not sequence:
            template = self.env.ref(template_xmlid).sudo()
            sequence = template.copy(
                {
                    "code": code,
                    "company_id": self.id,
                    "name": f"{template.name} ({self.name})",
                    "number_next": 1,
                    **(copy_values(template) if copy_values else {}),
                }
            )
        return sequence

    def _beneficiary_request_prefix(self, prefix):
        """Request numbers stay unique in the database, because the feedback link names
        the request by its number: the main association counts REQ/2026/00001, another
        association of the same database REQ-<its id>/2026/00001."""
        main = self.env.ref("base.main_company", raise_if_not_found=False)
        if self == main:
            return prefix
        head, sep, tail = prefix.partition("/")
        return f"{head}-{self.id}{sep}{tail}"

    def _beneficiary_feedback_manager(self):
        """Who follows up a low satisfaction rating: the association's first manager."""
        self.ensure_one()
        group = self.env.ref("beneficiary_relations.group_beneficiary_manager")
        return self.env["res.users"].sudo().search(
            [
                ("groups_id", "in", group.ids),
                ("company_ids", "in", self.ids),
                ("share", "=", False),
                ("id", "!=", self.env.ref("base.user_root").id),
            ],
            order="id",
            limit=1,
        )
