from . import customer_letter_send
