from . import customer_letter_segment
from . import customer_letter
from . import customer_letter_recipient
from . import customer_letter_ack
from . import res_partner
from . import ir_http
from . import link_tracker
