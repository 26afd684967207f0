from odoo import fields, models


class BeneficiaryRequestStage(models.Model):
    _name = "beneficiary.request.stage"
    _description = "Support Request Stage"
    _order = "sequence, id"

    name = fields.Char(string="Stage", required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Show this stage folded in the kanban view, e.g. for finished requests.",
    )
    kind = fields.Selection(
        [
            ("received", "Received"),
            ("verified", "Data verified"),
            ("declared", "Declaration signed"),
            ("research", "Social research"),
            ("committee", "Committee"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("delivered", "Delivered"),
            ("closed", "Closed"),
        ],
        required=True,
        default="received",
        help="The step of the policy this stage stands for. The workflow guards attach "
        "to the kind, so an association may rename stages or add several of one kind.",
    )
    description = fields.Text(translate=True, help="What happens to a request in this stage.")
    active = fields.Boolean(default=True)
