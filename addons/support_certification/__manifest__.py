# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Support Certification",
    "summary": "Certification levels granting SLA tiers with business-hours deadlines",
    "version": "18.0.1.1.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "helpdesk_mgmt",
        "resource",
        "product",
        "account",
        "support_points",
    ],
    "data": [
        "security/support_certification_groups.xml",
        "security/ir.model.access.csv",
        "security/support_certification_security.xml",
        "data/support_sla_tier_data.xml",
        "data/mail_data.xml",
        "data/mail_template_tier_data.xml",
        "data/ir_cron_data.xml",
        "views/support_sla_tier_views.xml",
        "views/support_certification_level_views.xml",
        "views/support_certification_views.xml",
        "views/res_partner_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "report/support_sla_report_views.xml",
        "views/support_certification_menus.xml",
        "views/support_sla_tier_period_views.xml",
        "views/account_move_views.xml",
        "views/product_template_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/support_certification_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "support_certification/static/src/fields/**/*",
        ],
        # the graph view is loaded lazily; so is our graph view extending it
        "web.assets_backend_lazy": [
            "support_certification/static/src/views/**/*",
        ],
        "web.assets_tests": [
            "support_certification/static/tests/tours/*.js",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
