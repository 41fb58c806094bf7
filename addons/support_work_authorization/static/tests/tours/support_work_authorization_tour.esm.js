/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";
import {waitUntil} from "@odoo/hoot-dom";

registry.category("web_tour.tours").add("support_work_authorization_agent", {
    steps: () => [
        {
            content: "The ticket",
            trigger: ".o_form_view .o_field_widget[name=name]:contains('Tour sensor ticket'), .o_form_view .o_field_widget[name=name] input:value(Tour sensor ticket)",
        },
        {
            content: "Prepare a work authorization from the ticket",
            trigger: ".o_form_view button[name=action_work_auth_prepare]",
            run: "click",
        },
        {
            content: "The authorization is sent to the authorized contact",
            trigger: ".o_form_view .o_field_widget[name=contact_id] input:value(Nadia Boss)",
        },
        {
            content: "Add an estimate line",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "By time type: on site",
            trigger: ".o_field_widget[name=line_ids] .o_data_row [name=time_type_id] input",
            run: "edit On site",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains('On site')",
            run: "click",
        },
        {
            content: "Three hours",
            trigger: ".o_field_widget[name=line_ids] .o_data_row [name=quantity] input",
            run: "edit 3",
        },
        {
            content: "Send it for acceptance",
            trigger: ".o_form_view button.o_work_auth_send",
            run: "click",
        },
        {
            content: "It waits for the customer's acceptance",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Waiting for acceptance')",
        },
    ],
});

registry.category("web_tour.tours").add("support_work_authorization_meter", {
    steps: () => [
        {
            content: "The technician leaves for the customer",
            trigger: ".o_form_view button.o_work_meter_depart",
            run: "click",
        },
        {
            content: "and arrives",
            trigger: ".o_form_view button.o_work_meter_arrive",
            run: "click",
        },
        {
            content: "and leaves the site",
            trigger: ".o_form_view button.o_work_meter_leave",
            run: "click",
        },
        {
            content: "The meter is ready for the next visit",
            trigger: ".o_form_view button.o_work_meter_depart",
        },
    ],
});

registry.category("web_tour.tours").add("support_work_authorization_portal_accept", {
    steps: () => [
        {
            content: "The quotation of the work authorization",
            trigger: "#quote_content:contains('On site')",
        },
        {
            content: "Accept and sign",
            trigger: "a:contains('Sign')",
            run: "click",
        },
        {
            trigger: ".modal canvas.o_web_sign_signature",
            async run(helpers) {
                await waitUntil(() => {
                    const canvas = helpers.anchor;
                    const context = canvas.getContext("2d");
                    const imageData = context.getImageData(
                        0,
                        0,
                        canvas.width,
                        canvas.height
                    );
                    const pixels = new Uint32Array(imageData.data.buffer);
                    return pixels.some((pixel) => pixel !== 0);
                });
            },
        },
        {
            content: "Submit the signature",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The order is confirmed",
            trigger: "#quote_content:contains('Thank You')",
        },
    ],
});
