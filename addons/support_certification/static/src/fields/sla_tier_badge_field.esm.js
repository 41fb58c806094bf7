/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {BadgeField, badgeField} from "@web/views/fields/badge/badge_field";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

/**
 * The SLA tier as a badge in the colour chosen on the tier, the way
 * many2many_tags colour their tags: option ``color_field`` names the integer
 * field of the record holding the colour index (0: no colour).
 */
export class SlaTierBadgeField extends BadgeField {
    static template = "support_certification.SlaTierBadgeField";
    static props = {
        ...BadgeField.props,
        colorField: {type: String, optional: true},
    };

    get colorIndex() {
        return (this.props.colorField && this.props.record.data[this.props.colorField]) || 0;
    }
}

export const slaTierBadgeField = {
    ...badgeField,
    component: SlaTierBadgeField,
    displayName: _t("Coloured badge"),
    supportedTypes: ["many2one"],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...badgeField.extractProps(fieldInfo, dynamicInfo),
        colorField: fieldInfo.options.color_field,
    }),
    fieldDependencies: ({options}) =>
        options.color_field ? [{name: options.color_field, type: "integer"}] : [],
};

registry.category("fields").add("sla_tier_badge", slaTierBadgeField);
