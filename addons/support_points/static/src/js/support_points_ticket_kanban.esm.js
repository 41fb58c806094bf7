/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {KanbanRenderer} from "@web/views/kanban/kanban_renderer";
import {kanbanView} from "@web/views/kanban/kanban_view";

/**
 * The tickets' kanban, grouped by stage, asks the agent to confirm before a
 * card dropped in a closing stage invoices a fee (what the closing charges
 * comes from helpdesk.ticket.support_charge_preview for that stage, the
 * same decision as the charge). Cancelled, the card stays where it was.
 */
export class SupportPointsTicketKanbanRenderer extends KanbanRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    async sortRecordDrop(dataRecordId, dataGroupId, params) {
        if (await this.confirmSupportFee(dataRecordId, dataGroupId, params)) {
            return super.sortRecordDrop(...arguments);
        }
        params.parent?.classList.remove("o_kanban_hover");
    }

    async confirmSupportFee(dataRecordId, dataGroupId, {parent}) {
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
        const preview = await this.orm.call(
            "helpdesk.ticket",
            "support_charge_preview",
            [[record.resId]],
            {stage_id: targetGroup.value}
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

export const supportPointsTicketKanbanView = {
    ...kanbanView,
    Renderer: SupportPointsTicketKanbanRenderer,
};

registry.category("views").add("support_points_ticket_kanban", supportPointsTicketKanbanView);
