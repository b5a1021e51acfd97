"""The paths a file watcher reported changed, for `baodan serve`'s record cache: a rebuild
reads again only the client folders under them, instead of listing and stat-ing every one of
a firm's tens of thousands of record files.

Only as good as the watcher: until it has started, and after it said it lost events (its
queue overflowed), nothing is known and the cache reads everything (``take`` gives None).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


class WatchedPaths:
    def __init__(self, catch_up: Callable[[], Iterable[str] | None]) -> None:
        """``catch_up()``: the paths that changed since the last ``take`` and before the
        watcher started (None: unknown), called once when it has started."""
        self._lock = threading.Lock()
        self._paths: set[str] | None = None  # None: unknown, read everything
        self._watching = False
        self._catch_up = catch_up

    def started(self) -> None:
        """The watcher notes every change from now on (call after its watches are set)."""
        with self._lock:
            self._watching = True
            if self._paths is None:
                self._paths = set()
        try:
            found = self._catch_up()  # after the watches are set: nothing falls between
        except OSError:  # a folder went as it was read: the next build reads everything
            found = None
        if found is None:
            self.lost()
        else:
            self.add(*found)

    def add(self, *paths: str) -> None:
        with self._lock:
            if self._paths is not None:
                self._paths.update(p for p in paths if p)

    def lost(self) -> None:
        """The watcher missed changes: the next ``take`` knows nothing."""
        with self._lock:
            self._paths = None

    def take(self) -> set[str] | None:
        """The paths changed since the last call (None: unknown, read everything)."""
        with self._lock:
            paths = self._paths
            self._paths = set() if self._watching else None
            return paths
