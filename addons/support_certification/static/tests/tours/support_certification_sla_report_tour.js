/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("support_certification_sla_report_graph", {
    steps: () => [
        {
            content: "The graph shows met against breached resolutions",
            trigger: ".o_graph_renderer canvas",
            run() {
                const canvas = document.querySelector(".o_graph_renderer canvas");
                const chart = window.Chart.getChart(canvas);
                // (a stacked bar chart adds a "Sum" line over the bars)
                const datasets = chart.data.datasets
                    .map((dataset) => dataset.label)
                    .filter((label) => label !== "Sum")
                    .sort();
                if (datasets.join(",") !== "Breached,Met") {
                    throw new Error(`Expected Met and Breached bars, got ${datasets}`);
                }
                const colors = Object.fromEntries(
                    chart.data.datasets.map((dataset) => [
                        dataset.label,
                        dataset.backgroundColor,
                    ])
                );
                if (colors.Met !== "#28a745" || colors.Breached !== "#dc3545") {
                    throw new Error(`Met not green or Breached not red: ${JSON.stringify(colors)}`);
                }
                const ticks = chart.scales.y.ticks.map((tick) => tick.label);
                if (!ticks.length || !ticks.every((label) => /^\d+$/.test(label))) {
                    throw new Error(`A count axis with non-integer ticks: ${ticks}`);
                }
            },
        },
    ],
});
