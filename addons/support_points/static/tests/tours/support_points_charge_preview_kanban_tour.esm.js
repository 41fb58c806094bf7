/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_points_charge_preview_kanban", {
    steps: () => [
        {
            content: "Drag the ticket to the closing stage",
            trigger: ".o_kanban_record:contains(Tour kanban call)",
            run: "drag_and_drop(.o_kanban_group:contains(Done))",
        },
        {
            content: "The drop asks first, with what it will invoice",
            trigger: ".modal-dialog:contains(Invoice a fee?):contains(Closing will invoice a fee of)",
        },
        {
            content: "The agent changes their mind",
            trigger: ".modal-footer button:contains(Cancel)",
            run: "click",
        },
        {
            content: "The card stays in its stage",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:contains(In Progress) .o_kanban_record:contains(Tour kanban call)",
        },
    ],
});
