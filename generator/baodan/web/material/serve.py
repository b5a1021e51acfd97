"""MkDocs' `serve` command (``mkdocs.commands.serve.serve``, 1.6) with one change: every
configuration it builds, the first and each rebuild's, is the caller's ``load(site_dir)``.
That is how `baodan serve` hands the plugin what is not in mkdocs.yml (the build request with
the identity, in memory); MkDocs' own function loads the configuration inside, out of reach. It drives the
live-reload server, which is not plugin API (so it is here, with the other internals).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer, _serve_url

log = logging.getLogger("mkdocs.commands.serve")


def serve(load: Callable[[str], MkDocsConfig], *, watch: list[str]) -> None:
    """`mkdocs serve --dirty` of the configuration ``load(site_dir)`` gives, also watching
    ``watch``."""
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config() -> MkDocsConfig:
        config = load(site_dir)
        config.watch.extend(watch)
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)

    def builder(config: MkDocsConfig | None = None) -> None:
        log.info("Building documentation...")
        if config is None:
            config = get_config()
            config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)

    server = LiveReloadServer(
        builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path
    )

    def error_page(code: int) -> bytes | None:
        path = os.path.join(site_dir, f"{code}.html")
        if code in (404, 500) and os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
        return None

    server.error_handler = error_page
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
