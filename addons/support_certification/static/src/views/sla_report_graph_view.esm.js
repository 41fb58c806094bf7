/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {GraphRenderer} from "@web/views/graph/graph_renderer";
import {graphView} from "@web/views/graph/graph_view";
import {registry} from "@web/core/registry";

// Measures that are percentages (0-100) of the SLA compliance report.
const PERCENT_MEASURES = ["response_compliance", "resolution_compliance"];
// Bars split by an SLA state take the state's colour (Odoo's palette would
// paint "Met" red when it comes second).
const STATE_FIELDS = ["response_state", "resolution_state"];
const STATE_COLORS = {
    running: "#17a2b8",
    paused: "#adb5bd",
    met: "#28a745",
    breached: "#dc3545",
};

/**
 * The graph of the SLA compliance report. Odoo's graph prints every axis
 * tick as a float, so a handful of tickets plots on "0.00, 0.10 ... 1.00";
 * counts are whole numbers: their axis steps and prints whole numbers, and
 * a compliance percentage is drawn on 0-100; bars split by SLA state are
 * green for met and red for breached.
 */
export class SlaReportGraphRenderer extends GraphRenderer {
    getBarChartData() {
        const data = super.getBarChartData();
        const {fields, groupBy} = this.model.metaData;
        const split = groupBy.length > 1 ? groupBy[groupBy.length - 1].fieldName : null;
        if (STATE_FIELDS.includes(split)) {
            const stateOf = Object.fromEntries(
                fields[split].selection.map(([value, label]) => [label, value])
            );
            for (const dataset of data.datasets) {
                const color = STATE_COLORS[stateOf[dataset.label]];
                if (color) {
                    dataset.backgroundColor = color;
                }
            }
        }
        return data;
    }

    getScaleOptions() {
        const scales = super.getScaleOptions();
        const {measure, measures} = this.model.metaData;
        if (!scales.y) {
            return scales;
        }
        if (measures[measure]?.type === "integer") {
            scales.y.ticks.precision = 0;
            scales.y.ticks.callback = (value) => this.formatValue(value, true);
        } else if (PERCENT_MEASURES.includes(measure)) {
            scales.y.suggestedMax = 100;
            scales.y.ticks.callback = (value) => `${this.formatValue(value, true)} %`;
        }
        return scales;
    }
}

export const slaReportGraphView = {
    ...graphView,
    Renderer: SlaReportGraphRenderer,
};

registry.category("views").add("support_sla_report_graph", slaReportGraphView);
