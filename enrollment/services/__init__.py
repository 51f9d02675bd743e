"""The enrollment services (moved here from `enrollment/services.py`; split by concern next)."""

from enrollment.services.declaration import *  # noqa: F403
from enrollment.services.declaration import REMINDER_BEFORE, REQUIRED_CONSENTS  # noqa: F401
