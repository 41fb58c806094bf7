# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Support Certification",
    "summary": "Certification levels granting SLA tiers with business-hours deadlines",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "Support Suite Authors",
    "website": "https://github.com/support-suite/support-suite",
    "depends": [
        "helpdesk_mgmt",
        "resource",
        "product",
    ],
    "data": [
        "security/support_certification_groups.xml",
    ],
    "development_status": "Alpha",
    "installable": True,
}
