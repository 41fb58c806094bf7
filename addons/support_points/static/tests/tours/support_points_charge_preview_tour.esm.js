/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_points_charge_preview", {
    steps: () => [
        {
            content: "The agent sees the expected charge under the stage bar",
            trigger:
                ".o_form_view .o_support_charge_preview_fee:contains(Closing will invoice a fee of):contains(the points bank is empty)",
        },
        {
            content: "Close the ticket from the stage bar",
            trigger: ".o_form_view .o_statusbar_status .dropdown-toggle.o_first",
            run: "click",
        },
        {
            content: "pick the closing stage",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Done)",
            run: "click",
        },
        {
            content: "The closing asks first, with what it will invoice",
            trigger: ".modal-dialog:contains(Invoice a fee?):contains(Closing will invoice a fee of)",
        },
        {
            content: "The agent changes their mind",
            trigger: ".modal-footer button:contains(Cancel)",
            run: "click",
        },
        {
            content: "The ticket stays open",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains(In Progress)",
        },
        {
            content: "Close it again from the stage bar",
            trigger: ".o_form_view .o_statusbar_status .dropdown-toggle.o_first",
            run: "click",
        },
        {
            content: "pick the closing stage",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Done)",
            run: "click",
        },
        {
            content: "and confirm the fee",
            trigger: ".modal-footer button:contains(Close and invoice the fee)",
            run: "click",
        },
        {
            content: "The ticket is closed",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Back to the list (the form leaves no unsaved edit)",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list of tickets",
            trigger: ".o_list_view",
        },
    ],
});
