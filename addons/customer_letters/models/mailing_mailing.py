# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL

LETTER_RECIPIENT_MODEL = "customer.letter.recipient"


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _action_send_mail(self, res_ids=None):
        res = super()._action_send_mail(res_ids=res_ids)
        # a letter's mailing resumed by the mass mailing queue completes the
        # letter as well
        # sudo: only the letters linked to these mailings, to update their state
        letters = (
            self.env["customer.letter"]
            .sudo()
            .search([("mailing_id", "in", self.ids), ("state", "=", "sending")])
        )
        letters._mark_sent_if_done()
        return res

    def _get_seen_list(self):
        """The emails a letter's mailing already reached, read from its traces
        alone.

        Odoo joins the traces with the target table to forget the records
        deleted since; a letter's recipient rows are never deleted while its
        mailing lives (nobody may unlink them, and a sent letter cannot be
        deleted). The join ran once per batch over a table whose rows are
        all new: while its statistics still say "empty", PostgreSQL picked a
        nested loop over the whole table for each trace (0.4 s per batch at
        1,000 customers). The traces of one mailing are found by their index.
        """
        self.ensure_one()
        if self.mailing_model_real != LETTER_RECIPIENT_MODEL or self.ab_testing_enabled:
            return super()._get_seen_list()
        self.env["mailing.trace"].flush_model(["email", "mass_mailing_id", "model"])
        self.env.cr.execute(
            SQL(
                "SELECT email FROM mailing_trace WHERE mass_mailing_id = %s "
                "AND model = %s AND email IS NOT NULL",
                self.id,
                LETTER_RECIPIENT_MODEL,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}
