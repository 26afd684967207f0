from odoo import models
from odoo.exceptions import AccessError


class IrAttachment(models.Model):
    """A file posted in a request's or a rating's chatter is part of that message, and of the
    record's history: it is changed or deleted as the message is (``mail_message.py``), by its
    author or as the record's own rule allows, not by anyone who may edit the record."""

    _inherit = "ir.attachment"

    def check(self, mode, values=None):
        super().check(mode, values=values)
        if mode not in ("write", "unlink") or not self or self.env.is_superuser():
            return
        # the messages the files came with, read as superuser: the user may not read them all
        kept = self.env["mail.message"].sudo().search([("attachment_ids", "in", self.ids)])._beneficiary_history()
        if kept and not self.env["mail.message"].browse(kept.ids).has_access("write"):
            raise AccessError(
                self.env._(
                    "This file was posted with a message of the record's history: only the message's "
                    "author changes or deletes it (on a request, a manager may too)."
                )
            )
