/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {confirmSupportFee} from "@support_points/js/support_fee_confirmation.esm";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {KanbanRenderer} from "@web/views/kanban/kanban_renderer";
import {kanbanView} from "@web/views/kanban/kanban_view";

/**
 * The tickets' kanban, grouped by stage, asks the agent to confirm before a
 * card dropped in a closing stage invoices a fee (confirmSupportFee, for
 * that stage). Cancelled, the card stays where it was.
 */
export class SupportPointsTicketKanbanRenderer extends KanbanRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    async sortRecordDrop(dataRecordId, dataGroupId, params) {
        if (await this.confirmSupportFeeFor(dataRecordId, dataGroupId, params)) {
            return super.sortRecordDrop(...arguments);
        }
        params.parent?.classList.remove("o_kanban_hover");
    }

    async confirmSupportFeeFor(dataRecordId, dataGroupId, {parent}) {
        const list = this.props.list;
        const targetGroup =
            list.isGrouped && list.groups.find((group) => group.id === parent?.dataset.id);
        if (
            !targetGroup ||
            targetGroup.id === dataGroupId ||
            targetGroup.groupByField.name !== "stage_id" ||
            !targetGroup.value
        ) {
            return true;
        }
        const sourceGroup = list.groups.find((group) => group.id === dataGroupId);
        const record = sourceGroup?.list.records.find((rec) => rec.id === dataRecordId);
        if (!record?.resId) {
            return true;
        }
        return confirmSupportFee(this, record.resId, targetGroup.value);
    }
}

export const supportPointsTicketKanbanView = {
    ...kanbanView,
    Renderer: SupportPointsTicketKanbanRenderer,
};

registry.category("views").add("support_points_ticket_kanban", supportPointsTicketKanbanView);
