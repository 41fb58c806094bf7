# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer Letters",
    "summary": "Approved, personalised contract-terms mailings to customer segments",
    "version": "18.0.1.1.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "mass_mailing",
        "support_points",
        "support_certification",
    ],
    "data": [
        "security/customer_letters_groups.xml",
        "security/ir.model.access.csv",
        "security/customer_letters_security.xml",
        "data/customer_letter_data.xml",
        "data/ir_cron.xml",
        "wizards/customer_letter_send_views.xml",
        "views/customer_letter_views.xml",
        "views/customer_letter_recipient_views.xml",
        "views/customer_letter_report_views.xml",
        "views/customer_letter_templates.xml",
        "views/res_partner_views.xml",
        "views/customer_letters_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "customer_letters/static/src/scss/customer_letters.scss",
        ],
        "web.assets_tests": [
            "customer_letters/static/src/js/tours/*.js",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
