"""`kill` and a closed terminal window stop a command as Ctrl-C does, so its clean-up runs.

Python ends at once on SIGTERM and SIGHUP, skipping every `finally`; a command holding
plaintext in a temp file must instead remove it. Only the main thread may set handlers:
elsewhere (a test runner's worker thread) this does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _interrupt_in(owner: int):
    def interrupt(sig, _frame) -> None:
        if os.getpid() != owner:  # a worker forked meanwhile: end as it would by default
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
            return
        raise KeyboardInterrupt

    return interrupt


@contextmanager
def like_ctrl_c() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise KeyboardInterrupt; the old handlers come back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupt = _interrupt_in(os.getpid())
    previous = {sig: signal.signal(sig, interrupt) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
