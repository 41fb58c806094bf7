/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_retention_at_risk", {
    url: "/odoo/action-support_retention.support_retention_score_action",
    steps: () => [
        {
            content: "The customer worth most comes first among those at risk",
            trigger:
                ".o_list_view .o_data_row:first-child .o_data_cell[name=partner_id]:contains('Tour Big Co')",
        },
        {
            content: "The smaller customer at risk comes next",
            trigger:
                ".o_list_view .o_data_row:nth-child(2) .o_data_cell[name=partner_id]:contains('Tour Small Co')",
        },
        {
            content: "Open the customer's score",
            trigger: ".o_data_row:first-child .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            content: "The reasons are in words",
            trigger: ".o_form_view .o_field_widget[name=reasons]:contains('SLA breaches in 90 days')",
        },
    ],
});

registry.category("web_tour.tours").add("support_retention_ticket", {
    url: "/odoo/helpdesk-tickets",
    steps: () => [
        {
            content: "Open the customer's ticket",
            trigger: ".o_data_row:contains('Tour billing question') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The agent sees the health score next to the balance",
            trigger: ".o_form_view .o_retention_ticket_health:contains('At risk')",
        },
        {
            content: "and why, on the call",
            trigger:
                ".o_form_view .o_retention_ticket_alert:visible:contains('At risk: 4 SLA breaches in 90 days')",
        },
    ],
});
