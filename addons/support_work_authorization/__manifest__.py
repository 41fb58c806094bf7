# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Support Work Authorization",
    "summary": "Time-based work on tickets: estimate, customer signature, "
    "live meter, re-authorization and invoice per time type",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "helpdesk_mgmt",
        "support_points",
        "helpdesk_mgmt_timesheet",
        "helpdesk_timesheet_time_type",
        "sale_management",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/support_work_authorization_security.xml",
        "data/ir_sequence_data.xml",
        "data/support_work_authorization_data.xml",
        "data/mail_template_data.xml",
        "views/support_work_authorization_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_list_views.xml",
        "views/project_time_type_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/support_work_authorization_templates.xml",
        "views/support_work_authorization_menus.xml",
    ],
    "demo": [
        "demo/support_work_authorization_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "support_work_authorization/static/tests/tours/*.esm.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "development_status": "Alpha",
    "installable": True,
}
