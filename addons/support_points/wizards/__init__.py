from . import support_points_grant_wizard
