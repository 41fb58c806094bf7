from . import customer_letter_report
