"""Secrets in the environment stay with baodan: a CI job (or a person) may hand baodan its
key in $BAODAN_IDENTITY_KEY, and nothing baodan starts needs it. The editor, git (and so
git's hooks and filters) get ``child_env()``; MkDocs hooks and plugins, which run inside
this process, run under ``secrets_hidden()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

SECRETS = ("BAODAN_IDENTITY_KEY",)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a program baodan starts: this one's, minus the secrets."""
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    env.update(extra)
    return env


@contextmanager
def secrets_hidden() -> Iterator[None]:
    """Inside, the secrets are out of os.environ (read the identity before); back after."""
    saved = {name: os.environ.pop(name) for name in SECRETS if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
