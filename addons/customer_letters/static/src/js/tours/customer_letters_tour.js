/** @odoo-module **/
/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_letters_preview", {
    steps: () => [
        {
            content: "Open the preview tab of the letter",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Preview')",
            run: "click",
        },
        {
            content: "Pick the customer to preview the letter for",
            trigger: "div[name='preview_partner_id'] input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "The letter is rendered for that customer",
            trigger:
                ".o_customer_letter_preview:contains('Dear Tour Contact of Tour Customer')",
        },
        {
            trigger: ".o_customer_letter_preview:contains('Your balance: 7 points')",
        },
        {
            content: "Leave without saving: a preview changes nothing",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            trigger: ".o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});

registry.category("web_tour.tours").add("customer_letters_send_test", {
    steps: () => [
        {
            content: "Open the preview tab of the letter",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Preview')",
            run: "click",
        },
        {
            content: "Pick the second customer, not the first of the segments",
            trigger: "div[name='preview_partner_id'] input",
            run: "edit Tour Second",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Second')",
            run: "click",
        },
        {
            trigger: ".o_customer_letter_preview:contains('Dear Tour Second')",
        },
        {
            content: "Send the test as previewed",
            trigger: "button[name='action_send_test']",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('Test letter sent')",
        },
    ],
});
