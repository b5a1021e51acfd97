"""Checks over the whole loaded firm. Each is a pure function firm -> list[RecordError]."""

from .integrity import INTEGRITY_CHECKS
from .lifecycle import check_policy_life

VALIDATIONS = [*INTEGRITY_CHECKS, check_policy_life]
