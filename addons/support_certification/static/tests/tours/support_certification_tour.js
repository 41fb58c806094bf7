/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_certification_ticket_deadline", {
    steps: () => [
        {
            content: "The ticket shows its SLA tier",
            trigger: ".o_field_widget[name='sla_tier_id']:contains('Standard')",
        },
        {
            content: "The resolution deadline is displayed",
            trigger:
                ".o_field_widget[name='sla_resolution_deadline'] span:not(:empty)",
        },
        {
            content: "The resolution clock is running",
            trigger: ".o_field_widget[name='sla_resolution_state']:contains('Running')",
        },
    ],
});
