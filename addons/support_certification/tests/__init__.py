from . import test_install
from . import test_configuration
from . import test_certification
from . import test_sla_deadline
from . import test_sla_cron
from . import test_report
from . import test_tour
from . import test_sla_performance
