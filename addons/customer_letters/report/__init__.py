from . import customer_letter_report
from . import customer_letter_effect
