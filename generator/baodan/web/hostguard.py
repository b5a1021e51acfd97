"""The preview server answers only requests made to this machine by its own names.

A web page anywhere can make the browser send requests to http://127.0.0.1:8000/ under a
name of its own that it points at 127.0.0.1 (DNS rebinding), and then read the answers: the
staff preview, every client decrypted. The browser still names the site it thinks it talks
to in the Host header, so the server refuses every Host but localhost, 127.0.0.1 and [::1]
with its port (and, when the preview was opened to other computers with --listen, the
address it listens on; on 0.0.0.0 any IP address: rebinding needs a name).

MkDocs' live-reload server is a wsgiref WSGIServer: its WSGI application is wrapped with
wsgiref's own get_app/set_app, in the plugin's on_serve, before it serves any request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
REFUSED = "403 Forbidden"


def install(server) -> bool:
    """Wrap the server's application with the Host check; True when it is in place. False
    when it cannot be (not a wsgiref server): the caller must then not serve."""
    get_app, set_app = getattr(server, "get_app", None), getattr(server, "set_app", None)
    if get_app is None or set_app is None or get_app() is None:
        return False
    wrapped = _guarded(get_app(), server)
    set_app(wrapped)
    return get_app() is wrapped


def _guarded(app: Callable, server) -> Callable:
    def guarded(environ, start_response) -> Iterable[bytes]:
        host, port = server.server_address[:2]  # the port once bound (a test binds port 0)
        if allowed(environ.get("HTTP_HOST", ""), host, port):
            return app(environ, start_response)
        start_response(REFUSED, [("Content-Type", "text/plain; charset=utf-8")])
        return [refusal(port).encode("utf-8")]

    return guarded


def allowed(header: str, listen_host: str, port: int) -> bool:
    """Whether a request's Host header names this server: one of the local names (or an IP
    address, see above) with the server's port (left out only when it is 80)."""
    name, _, given = _split(header.lower())
    if given != str(port) and not (given == "" and port == 80):
        return False
    if name in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False  # a name: the one thing DNS rebinding needs
    listening = ipaddress.ip_address(listen_host)
    return listening.is_unspecified or address == listening


def _split(host: str) -> tuple[str, str, str]:
    """("name", ":", "port") of "name:port" or "[v6 address]:port"; no port: ("name", "", "")."""
    if host.startswith("["):
        end = host.find("]") + 1
        rest = host[end:] if end else "?"
        return (host[:end], ":", rest[1:]) if rest.startswith(":") or not rest else ("", "", "?")
    return host.partition(":")


def refusal(port: int) -> str:
    return (
        "baodan 的预览只接受本机地址的访问，"
        f"请打开 http://localhost:{port}/ 或 http://127.0.0.1:{port}/\n"
    )
