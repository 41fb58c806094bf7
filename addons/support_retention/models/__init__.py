# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import support_retention_signal
from . import support_retention_score
from . import res_partner
from . import helpdesk_ticket
from . import customer_letter_segment
