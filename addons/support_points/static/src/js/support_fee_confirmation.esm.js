/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";

/**
 * Ask the agent to confirm moving a ticket to a stage whose closing invoices
 * a fee. What the closing charges comes from the server's
 * helpdesk.ticket.support_charge_preview for that stage: the same decision
 * as the charge. Shared by the ticket's stage bar and the tickets' kanban.
 *
 * @param {Object} services the component's "orm" and "dialog" services
 * @param {Number} ticketId the ticket, as saved
 * @param {Number} stageId the stage it moves to
 * @returns {Promise<Boolean>} whether to move the ticket there
 */
export async function confirmSupportFee({orm, dialog}, ticketId, stageId) {
    const preview = await orm.call(
        "helpdesk.ticket",
        "support_charge_preview",
        [[ticketId]],
        {stage_id: stageId}
    );
    if (preview.charge_state !== "fee") {
        return true;
    }
    return new Promise((resolve) => {
        dialog.add(
            ConfirmationDialog,
            {
                title: _t("Invoice a fee?"),
                body: preview.message,
                confirmLabel: _t("Close and invoice the fee"),
                confirm: () => resolve(true),
                cancel: () => resolve(false),
            },
            {onClose: () => resolve(false)}
        );
    });
}
