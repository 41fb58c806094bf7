from . import test_settings
from . import test_acceptance
from . import test_meter
from . import test_reauthorization
from . import test_invoice
from . import test_absorb
from . import test_portal
from . import test_tour
