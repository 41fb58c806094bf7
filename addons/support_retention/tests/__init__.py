# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import test_score
from . import test_cron
from . import test_performance
from . import test_segment
from . import test_backtest
from . import test_tour
