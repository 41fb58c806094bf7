/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_points_ticket_balance", {
    url: "/odoo/helpdesk-tickets",
    steps: () => [
        {
            content: "Open the customer's ticket from the list",
            trigger: ".o_data_row:contains('Tour printer jam') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The agent sees the customer's balance on the ticket",
            trigger:
                ".o_form_view .oe_stat_button[name=action_view_support_points]:contains(1)",
        },
        {
            content: "and the low-balance warning",
            trigger: ".o_form_view .o_support_points_low:contains(Offer a points pack)",
        },
        {
            content: "The smart button opens the customer's ledger",
            trigger: ".oe_stat_button[name=action_view_support_points]",
            run: "click",
        },
        {
            content: "The ledger shows the grant",
            trigger: ".o_list_view .o_data_row:contains(Tour gift)",
        },
    ],
});
