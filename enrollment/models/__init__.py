"""The enrollment models (moved here from `enrollment/models.py`; split by concern next)."""

from enrollment.models.participation import *  # noqa: F403
from enrollment.models.participation import DECLARATION_CHANNELS, age_on  # noqa: F401
