from . import support_points_grant_wizard
from . import base_partner_merge
