/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_points_ticket_cards", {
    url: "/odoo/helpdesk-tickets?view_type=kanban",
    steps: () => [
        {
            content: "A customer low on points: '1 point', in warning",
            trigger:
                ".o_kanban_record:contains('Display low jam') .o_support_points_badge .text-warning:contains('1 point')",
        },
        {
            content: "A customer who never had points: 'No points', muted",
            trigger:
                ".o_kanban_record:contains('Display newcomer jam') .o_support_points_badge .text-muted:contains('No points')",
        },
        {
            content: "A customer with points: muted count",
            trigger:
                ".o_kanban_record:contains('Display rich jam') .o_support_points_badge .text-muted:contains('12 points')",
        },
        {
            content: "Open the low customer's ticket",
            trigger: ".o_kanban_record:contains('Display low jam')",
            run: "click",
        },
        {
            content: "The form says the balance in words and offers a pack",
            trigger:
                ".o_form_view .o_support_points_low:contains('1 point'):contains('Offer a points pack')",
        },
    ],
});
