from . import test_install
from . import test_ledger
from . import test_charge
from . import test_performance
from . import test_concurrency
from . import test_packs
from . import test_people
from . import test_rpc
