# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer Letters",
    "summary": "Approved, personalised contract-terms mailings to customer segments",
    "version": "18.0.1.0.0",
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
    ],
    "development_status": "Alpha",
    "installable": True,
}
