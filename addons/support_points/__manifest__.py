# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Support Points",
    "summary": "Service points per customer, charged when helpdesk tickets close",
    "version": "18.0.1.1.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "helpdesk_mgmt",
        "account",
        "base_automation",
    ],
    "data": [
        "security/support_points_groups.xml",
        "security/ir.model.access.csv",
        "security/support_points_security.xml",
        "data/ir_cron.xml",
        "data/support_points_data.xml",
        "data/base_automation.xml",
        "data/mail_template_data.xml",
        "wizards/support_points_grant_wizard_views.xml",
        "views/support_points_move_views.xml",
        "views/support_charge_rule_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_partner_views.xml",
        "views/product_template_views.xml",
        "views/res_config_settings_views.xml",
        "views/support_points_portal_templates.xml",
        "views/support_points_menus.xml",
    ],
    "demo": [
        "demo/support_points_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "support_points/static/tests/tours/*.esm.js",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
