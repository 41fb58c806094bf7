/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {
    StatusBarDurationField,
    statusBarDurationField,
} from "@mail/views/fields/statusbar_duration/statusbar_duration_field";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

/**
 * The ticket's stage bar (with the time spent in each stage, as
 * helpdesk_mgmt's form shows it) that asks the agent to confirm before
 * closing a ticket when the closing invoices a fee. What the closing charges
 * comes from the server's helpdesk.ticket.support_charge_preview, for the
 * stage clicked: the same decision as the charge. Writes over RPC are not
 * asked anything.
 */
export class SupportPointsStatusBarField extends StatusBarDurationField {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    async selectItem(item) {
        if (await this.confirmSupportFee(item)) {
            return super.selectItem(item);
        }
    }

    /**
     * @param {Object} item the stage clicked
     * @returns {Promise<Boolean>} whether to move the ticket there
     */
    async confirmSupportFee(item) {
        const record = this.props.record;
        if (item.isSelected) {
            return true;
        }
        // the preview reads the ticket as saved: save the agent's edits
        // first, as the stage bar does right after the move anyway
        if (!(await record.save())) {
            return false;
        }
        const preview = await this.orm.call(
            record.resModel,
            "support_charge_preview",
            [[record.resId]],
            {stage_id: item.value}
        );
        if (preview.charge_state !== "fee") {
            return true;
        }
        return new Promise((resolve) => {
            this.dialog.add(
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
}

export const supportPointsStatusBarField = {
    ...statusBarDurationField,
    component: SupportPointsStatusBarField,
};

registry.category("fields").add("support_points_statusbar", supportPointsStatusBarField);
