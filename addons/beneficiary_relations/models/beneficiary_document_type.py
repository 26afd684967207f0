from odoo import fields, models


class BeneficiaryDocumentType(models.Model):
    _name = "beneficiary.document.type"
    _description = "Required Document Type"
    _order = "sequence, name"

    name = fields.Char(
        string="Document",
        required=True,
        translate=True,
        help="A document an applicant may have to attach, e.g. a medical report or a lease.",
    )
    code = fields.Char(string="Code", help="Short stable code of the document type.")
    sequence = fields.Integer(default=10)
    description = fields.Text(
        string="Description",
        translate=True,
        help="What the document must show to be accepted.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique (code)", "Another document type already uses this code."),
    ]
