/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {
    StatusBarDurationField,
    statusBarDurationField,
} from "@mail/views/fields/statusbar_duration/statusbar_duration_field";
import {confirmSupportFee} from "@support_points/js/support_fee_confirmation.esm";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

/**
 * The ticket's stage bar (with the time spent in each stage, as
 * helpdesk_mgmt's form shows it) that asks the agent to confirm before
 * closing a ticket when the closing invoices a fee (confirmSupportFee, for
 * the stage clicked). Writes over RPC are not asked anything.
 */
export class SupportPointsStatusBarField extends StatusBarDurationField {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    async selectItem(item) {
        if (await this.confirmSupportFeeFor(item)) {
            return super.selectItem(item);
        }
    }

    /**
     * @param {Object} item the stage clicked
     * @returns {Promise<Boolean>} whether to move the ticket there
     */
    async confirmSupportFeeFor(item) {
        const record = this.props.record;
        if (item.isSelected) {
            return true;
        }
        // the preview reads the ticket as saved: save the agent's edits
        // first, as the stage bar does right after the move anyway
        if (!(await record.save())) {
            return false;
        }
        return confirmSupportFee(this, record.resId, item.value);
    }
}

export const supportPointsStatusBarField = {
    ...statusBarDurationField,
    component: SupportPointsStatusBarField,
};

registry.category("fields").add("support_points_statusbar", supportPointsStatusBarField);
