# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Support Retention",
    "summary": "A transparent customer health score from the support history",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "support_points",
        "support_certification",
        "customer_letters",
    ],
    "data": [
        "security/support_retention_groups.xml",
        "security/ir.model.access.csv",
        "security/support_retention_security.xml",
        "data/support_retention_signal_data.xml",
        "data/ir_cron.xml",
        "wizards/support_retention_backtest_views.xml",
        "views/support_retention_signal_views.xml",
        "views/support_retention_score_views.xml",
        "views/res_partner_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/customer_letter_views.xml",
        "views/support_retention_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "support_retention/static/tests/tours/*.esm.js",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
