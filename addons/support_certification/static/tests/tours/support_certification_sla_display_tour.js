/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";

const RUNNING = ".o_kanban_record:contains('SLA running ticket')";
const PAUSED = ".o_kanban_record:contains('SLA paused ticket')";

function assertOneLine(name) {
    // The status icon and the deadline sit on the same line: their boxes
    // overlap vertically (a wrapped date starts below the icon's bottom).
    const card = [...document.querySelectorAll(".o_kanban_record")].find((el) =>
        el.textContent.includes(name)
    );
    const box = card.querySelector(".o_sla_deadline");
    const icon = box.querySelector("i.fa").getBoundingClientRect();
    const date = box.querySelector(".o_field_datetime").getBoundingClientRect();
    if (!date.width || date.top >= icon.bottom || icon.top >= date.bottom) {
        throw new Error(`The SLA icon and its date are not on one line for ${name}`);
    }
}

function assertHeadersFit() {
    const cut = [...document.querySelectorAll(".o_list_table thead th")]
        .map((th) => th.querySelector(".text-truncate"))
        .filter((label) => label && label.scrollWidth > label.clientWidth)
        .map((label) => label.textContent.trim());
    if (cut.length) {
        throw new Error(`Column headers cut: ${cut.join(", ")}`);
    }
}

registry.category("web_tour.tours").add("support_certification_sla_display", {
    steps: () => [
        {
            content: "Kanban: a running SLA shows a clock and no word",
            trigger: `${RUNNING} .o_sla_deadline.o_sla_status_running .fa-clock-o`,
        },
        {
            content: "Kanban: a paused SLA shows a pause icon and says Paused",
            trigger: `${PAUSED} .o_sla_deadline.o_sla_status_paused:contains('Paused') .fa-pause-circle`,
        },
        {
            content: "Kanban: the tier badge has the tier's colour",
            trigger: `${RUNNING} .o_sla_tier_badge.o_tag_color_4:contains('Standard')`,
        },
        {
            content: "Kanban: icon and deadline on one line",
            trigger: `${PAUSED} .o_sla_deadline .o_field_datetime`,
            run() {
                assertOneLine("SLA running ticket");
                assertOneLine("SLA paused ticket");
            },
        },
        {
            content: "Switch to the list",
            trigger: "button.o_switch_view.o_list",
            run: "click",
        },
        {
            content: "List: the paused ticket reads Paused",
            trigger:
                ".o_data_row:contains('SLA paused ticket') td[name='sla_status']:contains('Paused')",
        },
        {
            content: "List: the running ticket reads Running, tier in colour",
            trigger:
                ".o_data_row:contains('SLA running ticket') td[name='sla_status']:contains('Running')",
        },
        {
            content: "List: the tier badge has the tier's colour; no header cut",
            trigger:
                ".o_data_row:contains('SLA running ticket') td[name='sla_tier_id'] .o_tag_color_4",
            run() {
                assertHeadersFit();
            },
        },
        {
            content: "Open the running ticket",
            trigger: ".o_data_row:contains('SLA running ticket') td[name='name']",
            run: "click",
        },
        {
            content: "Form: the tier badge has the tier's colour",
            trigger: ".o_form_view .o_field_widget[name='sla_tier_id'] .o_tag_color_4",
        },
    ],
});
