"""MkDocs' live-reload server as `baodan serve` changes it: file events instead of polling.

The server keeps what it watches in ``_watched_paths`` and its watchdog observer in
``observer``; neither is plugin API.
"""

from __future__ import annotations

import os


def watch_with_events(server, more: list[str], noted=None) -> bool:
    """MkDocs' live-reload server polls every watched file twice a second: a firm's tens of
    thousands of record files keep a core busy that way, and a change is noticed late.
    Watch with the system's file events (inotify) instead, where watchdog has them and the
    system allows enough watches for the folders (those watched already and ``more``).
    Only changes count: the build itself opens and reads every record. False when the server
    no longer keeps its watched paths where this reads them (it then polls, as before).
    ``noted`` (store/watched.WatchedPaths) is told each changed path before the server asks
    for a rebuild, and when the watcher has started or lost events; only with file events
    that say when some were lost (watchdog 7)."""
    from watchdog import events
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    paths = getattr(server, "_watched_paths", None)  # path → how many times watched
    if not isinstance(paths, dict) or not hasattr(server, "observer"):
        return False
    watched = dict(paths)
    if Observer is PollingObserver or _folders([*watched, *more]) > _watch_limit() // 2:
        return True  # the server keeps polling, as it would without this
    for path, times in watched.items():
        for _ in range(times):
            server.unwatch(path)
    server.observer = _changes_only(noted if hasattr(events, "EventsLostEvent") else None)
    for path, times in watched.items():
        for _ in range(times):
            server.watch(path)
    return True


def _changes_only(noted=None):
    """A native observer that asks the system only for changes (not opening or reading);
    with ``noted``, it tells it the changed paths before the server's handler sees them."""
    from watchdog import events
    from watchdog.observers import Observer

    changes = [
        events.FileCreatedEvent,
        events.FileDeletedEvent,
        events.FileModifiedEvent,
        events.FileMovedEvent,
        events.FileClosedEvent,
        events.DirCreatedEvent,
        events.DirDeletedEvent,
        events.DirMovedEvent,
    ]
    if noted is not None:
        changes.append(events.EventsLostEvent)

    class Noting(events.FileSystemEventHandler):
        def __init__(self, handler) -> None:
            self.handler = handler

        def dispatch(self, event) -> None:
            if isinstance(event, events.EventsLostEvent):
                noted.lost()
                event = events.FileModifiedEvent(event.src_path)  # the server rebuilds
            else:
                noted.add(event.src_path, getattr(event, "dest_path", ""))
            self.handler.dispatch(event)

    class ChangesOnly(Observer):
        def schedule(self, handler, path, *, recursive=False, event_filter=None, **kw):
            if noted is not None:
                handler = Noting(handler)
            return super().schedule(handler, path, recursive=recursive, event_filter=changes, **kw)

        def start(self) -> None:
            super().start()  # its watches are set when this returns
            if noted is not None:
                noted.started()

    return ChangesOnly()


def _folders(paths) -> int:
    return sum(1 + sum(len(dirs) for _, dirs, _ in os.walk(path)) for path in paths)


def _watch_limit() -> int:
    try:
        with open("/proc/sys/fs/inotify/max_user_watches") as f:
            return int(f.read())
    except OSError:
        return 8192


def installed_server_keeps_watched_paths() -> bool:
    """Whether the installed MkDocs' live-reload server still keeps ``_watched_paths``."""
    from mkdocs.livereload import LiveReloadServer

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    try:
        return isinstance(getattr(server, "_watched_paths", None), dict) and hasattr(
            server, "observer"
        )
    finally:
        server.server_close()
