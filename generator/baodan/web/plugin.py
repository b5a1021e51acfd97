"""The `baodan` MkDocs plugin: loads the firm once per build and adds the generated pages.

Pages are ``File.generated(config, uri, content=...)``: rendered in memory, so no decrypted
text is ever written to a temp folder.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from ..errors import BaodanError, render_errors
from ..history import PendingHistory
from ..records import RecordCache, load_firm
from ..today import today
from ..vault import IdentitySource, find_identity, open_vault
from ..workspace import DEMO_WARNING
from .build_date import PinnedBuildDate
from .builders import builders_for, slots_for
from .context import TEMPLATES, GeneratedPage, SiteContext, make_env
from .offload import OFF_PAGE, FileJob
from .portal_pages import client_portals, portal_shell
from .search_words import refine_search_index

log = get_plugin_logger(__name__)

# Set by the CLI so `baodan build -i FILE` decrypts with the identity the user named.
_identity_override: IdentitySource | None = None


def use_identity(source: IdentitySource | None) -> None:
    global _identity_override
    _identity_override = source


class BaodanConfig(base.Config):
    enabled = opt.Type(bool, default=True)
    staff = opt.Type(bool, default=False)
    records = opt.Optional(opt.Type(str))
    templates = opt.Optional(opt.Type(str))
    kb_dir = opt.Type(str, default="kb")
    portal_dir = opt.Type(str, default="p")
    calendar_dir = opt.Type(str, default="feeds")


class BaodanPlugin(BasePlugin[BaodanConfig]):
    """Adds the firm's pages, portals and feeds to a Material site."""

    def __init__(self):
        self.firm = None
        self.pages: list[GeneratedPage] = []
        self.stats: dict[str, int] = {}
        self.build_date = PinnedBuildDate()
        self.cache: RecordCache | None = None
        self.ctx: SiteContext | None = None
        self.job: FileJob | None = None

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps this plugin object across the rebuilds of `mkdocs serve`,
        # so the records it decrypted stay in memory and a rebuild decrypts only changed ones.
        self.cache = RecordCache() if command == "serve" else None

    def on_config(self, config):
        if not self.config.enabled:
            return config
        _quiet_jieba()
        config_dir = Path(config.config_file_path or ".").resolve().parent
        root = Path(self.config.records).resolve() if self.config.records else config_dir
        templates = Path(self.config.templates).resolve() if self.config.templates else TEMPLATES
        pending_history = PendingHistory(root)
        try:
            self.firm = self._load(root)
        finally:
            history = pending_history.result()
        now = today()
        settings = self.firm.settings
        config.site_name = settings.name
        if not config.copyright:
            config.copyright = settings.name + (
                "（演示站点，数据均为虚构）" if settings.demo else ""
            )
        if settings.site_url and not config.site_url:
            config.site_url = str(settings.site_url)
        config.theme.dirs.insert(0, str(templates / "overrides"))
        config.theme["font"] = False  # no Google Fonts: nothing may load from a third party
        if settings.brand.logo:
            config.theme["logo"] = settings.brand.logo
            config.theme["favicon"] = settings.brand.logo
        config.extra_css.append("assets/baodan/site.css")
        if self.config.staff:
            config.extra_css.append("assets/baodan/staff.css")
            config.extra_javascript.append("assets/baodan/staff.js")
        self.build_date.pin(history, now)
        if history.shallow:
            log.warning(
                "仓库是浅克隆（shallow clone），记录的修改历史不全：日历订阅的时间戳会变。"
                "CI 里请取完整历史（git clone 不加 --depth，或先运行 git fetch --unshallow）。"
            )
        self.ctx = ctx = SiteContext(
            self.firm,
            now,
            self.config.staff,
            make_env(templates),
            options=dict(self.config),
            history=history,
        )
        self.pages = self._generate(ctx)
        if not config.nav:
            config.nav = _nav(self.pages)
        return config

    def on_files(self, files: Files, /, *, config) -> Files:
        if not self.config.enabled:
            return files
        for page in self.pages:
            if files.get_file_from_path(page.uri) is not None:
                files.remove(files.get_file_from_path(page.uri))
            files.append(
                File.generated(config, page.uri, content=page.content, inclusion=page.inclusion)
            )
        # MkDocs has emptied the site folder by now: portals and feeds can be written into it.
        builders = builders_for(self.config.staff)
        if client_portals in builders:
            self.ctx.portal_shell = portal_shell(
                config, self.firm.settings, _material_stylesheet(config)
            )
        self.job = FileJob(self.ctx, builders, config.site_dir, parallel=self.cache is None)
        self.job.start()
        return files

    def on_env(self, env, /, *, config, files):
        if self.config.enabled:
            env.globals["material_css"] = _material_stylesheet(config)
            env.globals["firm_settings"] = self.firm.settings
        return env

    # After Material's search plugin has written search_index.json (its on_post_build runs at
    # the default priority), whatever the order of the plugins in mkdocs.yml.
    @event_priority(-100)
    def on_post_build(self, *, config):
        if not self.config.enabled:
            return
        written = self.job.finish()
        self.job = None
        portal_dir = self.config.portal_dir + "/"
        self.stats["portals"] = sum(uri.startswith(portal_dir) for uri in written)
        self.stats["feeds"] += sum(uri.endswith(".ics") for uri in written)
        self.stats["files"] += len(written)
        refine_search_index(Path(config.site_dir) / "search" / "search_index.json")
        self.build_date.release()

    def on_build_error(self, *, error):
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self.build_date.release()

    def _load(self, root: Path):
        try:
            source = _identity_override or find_identity(root)
            if source.is_demo and _identity_override is None:  # the CLI has warned already
                log.warning(DEMO_WARNING)
            firm, errors = load_firm(
                root, open_vault(root, source), self.cache, slots_for(self.config.staff)
            )
        except BaodanError as e:
            raise PluginError(render_errors(e.errors)) from None
        if errors:
            raise PluginError(
                f"记录有 {len(errors)} 处问题，网站未生成：\n" + render_errors(errors)
            )
        return firm

    def _generate(self, ctx: SiteContext) -> list[GeneratedPage]:
        pages = [
            GeneratedPage("assets/baodan/site.css", ctx.render("site.css.j2")),
        ]
        pages.extend(page for b in builders_for(ctx.staff) if b not in OFF_PAGE for page in b(ctx))
        self.stats = {
            "pages": sum(p.uri.endswith(".md") for p in pages),
            "feeds": sum(p.uri.endswith(".ics") for p in pages),
            "files": len(pages),
        }
        return pages


def _quiet_jieba() -> None:
    # Material's Chinese search segmentation loads jieba, which logs its set-up at INFO.
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


def _material_stylesheet(config) -> str:
    """Material's main stylesheet (its name carries a hash), for pages with their own template."""
    for folder in config.theme.dirs:
        found = sorted(Path(folder).glob("assets/stylesheets/main.*.min.css"))
        if found:
            return found[0].relative_to(folder).as_posix()
    raise PluginError("找不到 Material 主题的样式表 assets/stylesheets/main.*.min.css")


def _nav(pages: list[GeneratedPage]) -> list:
    """A nav tree from the pages' nav paths, in the order the builders produced them.
    A section's index page (kb/index.md) opens its section."""
    tree: list = []
    for page in pages:
        if page.nav is None:
            continue
        is_index = page.uri.endswith("/index.md")
        level = tree
        for section in page.nav if is_index else page.nav[:-1]:
            found = next(
                (
                    i[section]
                    for i in level
                    if isinstance(i, dict) and isinstance(i.get(section), list)
                ),
                None,
            )
            if found is None:
                found = []
                level.append({section: found})
            level = found
        level.append(page.uri if is_index else {page.nav[-1]: page.uri})
    return tree
