from . import support_sla_tier
from . import support_certification_level
from . import support_certification
from . import res_partner
from . import helpdesk_ticket
