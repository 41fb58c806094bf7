# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL, split_every

# Values of _message_log_batch that are no column of mail_message; the fast
# insertion only takes them empty (no attachment, recipient or tracking).
NOTE_RELATION_KEYS = ("attachment_ids", "partner_ids", "tracking_value_ids")
# What mail.message's create fills in when missing: _message_log_batch gives
# them all, the fast insertion relies on it.
NOTE_REQUIRED_KEYS = ("model", "res_id", "email_from", "message_id", "reply_to")
NOTE_INSERT_BATCH = 1000


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _sla_note_rows(self, values_list):
        """The rows mail.message's create would insert for the notes of
        ``values_list`` (values of ``_message_log_batch``), as
        ``{column: value}`` in the create format, or None when it would do
        more than insert them: then the notes must go through the ORM."""
        if not values_list or not self._sla_create_is_plain():
            return None
        defaults = None
        rows = []
        for values in values_list:
            if any(values.get(key) for key in NOTE_RELATION_KEYS):
                return None
            if any(key not in values for key in NOTE_REQUIRED_KEYS):
                return None
            if "record_name" not in values and "default_record_name" not in (
                self.env.context
            ):
                return None
            # create() turns embedded base64 images into attachments
            if "data:" in (values.get("body") or ""):
                return None
            row = {
                key: value
                for key, value in values.items()
                if key not in NOTE_RELATION_KEYS
            }
            if defaults is None:
                # the same for every note of the batch: author and date
                # (the current user and time), the fields' own defaults
                defaults = {
                    key: value
                    for key, value in self._add_missing_default_values(
                        dict(row)
                    ).items()
                    if key not in row
                }
            rows.append(dict(defaults, **row))
        columns = {key for row in rows for key in row}
        for key in columns:
            field = self._fields.get(key)
            if not field or not field.store:
                return None
            if not field.column_type and any(row.get(key) for row in rows):
                return None
        return rows

    @api.model
    def _sla_create_is_plain(self):
        """Whether mail.message's create is mail's own (no other module
        extends it) and sets no stored computed field."""
        for cls in type(self).__mro__:
            if "create" in vars(cls):
                if cls.__module__ != "odoo.addons.mail.models.mail_message":
                    return False
                break
        return not any(field.store and field.compute for field in self._fields.values())

    @api.model
    def _sla_insert_notes(self, rows):
        """Insert the messages of ``rows`` (see ``_sla_note_rows``) as the ORM
        would, in one statement per thousand; values shared by the rows are
        converted (the bodies sanitized) once. Return the messages."""
        now = self.env.cr.now()
        log_access = {
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        fnames = sorted(
            {key for row in rows for key in row if self._fields[key].column_type}
            | set(log_access)
        )
        fields_ = [self._fields[fname] for fname in fnames]
        converted = {}

        def column_value(field, value, row):
            key = (field.name, type(value), value)
            try:
                return converted[key]
            except KeyError:
                result = converted[key] = field.convert_to_column_insert(
                    value, self, row
                )
                return result
            except TypeError:  # unhashable: not shared
                return field.convert_to_column_insert(value, self, row)

        ids = []
        for batch in split_every(NOTE_INSERT_BATCH, rows):
            sql_rows = []
            for row in batch:
                row = dict(row, **log_access)
                sql_rows.append(
                    tuple(
                        column_value(field, row[field.name], row)
                        if field.name in row
                        else SQL("DEFAULT")
                        for field in fields_
                    )
                )
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(self._table),
                    SQL(", ").join(map(SQL.identifier, fnames)),
                    SQL(", ").join(sql_rows),
                )
            )
            ids.extend(row_id for (row_id,) in self.env.cr.fetchall())
        messages = self.browse(ids)
        # what the ORM's create does next: dependent fields to recompute, the
        # documents' cached messages to drop
        messages.modified(fnames, create=True)
        by_model = {}
        for row in rows:
            by_model.setdefault(row["model"], set()).add(row["res_id"])
        for model, res_ids in by_model.items():
            if model in self.pool and issubclass(
                self.pool[model], self.pool["mail.thread"]
            ):
                self.env[model].browse(res_ids).invalidate_recordset(
                    ["message_ids", "message_needaction", "message_needaction_counter"]
                )
        return messages
