"""Checks over the whole loaded firm. Each is a pure function firm -> list[RecordError]."""

from .integrity import INTEGRITY_CHECKS
from .lifecycle import check_policy_life
from .privacy import PRIVACY_CHECKS
from .service import SERVICE_CHECKS

VALIDATIONS = [*INTEGRITY_CHECKS, *SERVICE_CHECKS, *PRIVACY_CHECKS, check_policy_life]
