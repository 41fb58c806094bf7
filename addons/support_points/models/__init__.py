from . import helpdesk_ticket
from . import helpdesk_ticket_stage
from . import res_company
from . import res_config_settings
from . import res_partner
from . import support_charge_rule
from . import support_points_balance
from . import support_points_move
