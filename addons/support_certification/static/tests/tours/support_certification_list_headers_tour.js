/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";

// Run on any list view: no column header is cut ("Date Obt…").
registry.category("web_tour.tours").add("support_certification_list_headers", {
    steps: () => [
        {
            content: "Every column header of the list is readable in full",
            trigger: ".o_list_table .o_data_row",
            run() {
                const cut = [...document.querySelectorAll(".o_list_table thead th")]
                    .map((th) => th.querySelector(".text-truncate"))
                    .filter((label) => label && label.scrollWidth > label.clientWidth)
                    .map((label) => label.textContent.trim());
                if (cut.length) {
                    throw new Error(`Column headers cut: ${cut.join(", ")}`);
                }
            },
        },
    ],
});
