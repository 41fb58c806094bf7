from . import customer_letter_segment
from . import customer_letter
from . import customer_letter_recipient
from . import customer_letter_ack
from . import mailing_mailing
from . import res_partner
from . import mail_compose_message
