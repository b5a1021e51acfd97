"""The `baodan` MkDocs plugin: loads the firm once per build and adds the generated pages.

Pages are ``File.generated(config, uri, content=...)``: rendered in memory, so no decrypted
text is ever written to a temp folder. Files MkDocs would only copy (portals, feeds) are
written straight into the site folder by web/offload.py, on other cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, render_errors
from baodan.core.today import today
from baodan.store.documents import DocumentReader
from baodan.store.firm_secret import firm_secret
from baodan.store.history import PendingHistory
from baodan.store.identity import IdentitySource, find_identity, identity_file_warning
from baodan.store.loader import RecordCache
from baodan.store.workspace import DEMO_WARNING, Workspace
from baodan.web import hostguard
from baodan.web.build_date import PinnedBuildDate
from baodan.web.builders import builders_for, slots_for
from baodan.web.client_shell import ClientShell, ShellFile, ShellPage, shell_file
from baodan.web.context import TEMPLATES, GeneratedPage, SiteContext, make_env, tel
from baodan.web.csp import policy, theme_scripts, with_policy
from baodan.web.empty_folders import fill_empty_folders
from baodan.web.feeds import UID_PURPOSE, is_feed, staff_feeds
from baodan.web.fragments import insert as insert_fragments
from baodan.web.incremental import ServeState, UnchangedFile
from baodan.web.incremental import remove as remove_files
from baodan.web.material.compiled_templates import CompiledTemplates
from baodan.web.material.live_reload import watch_with_events
from baodan.web.material.nav_cache import NavCache
from baodan.web.material.search_index import forget_previous_index, main_stylesheet, search_plugin
from baodan.web.material.search_worker import mend_search_worker
from baodan.web.offload import OFF_PAGE, ClientPagesJob, FileJob
from baodan.web.portal_pages import client_portals, portal_shell
from baodan.web.search_words import learn_words, refine_search_index
from baodan.web.staff_pages import prepare_client_pages, staff_client_page

log = get_plugin_logger(__name__)
SHALLOW_WARNING = (
    "仓库是浅克隆（shallow clone，只取了最近的提交），记录的修改历史不全：网站地图的日期会随每次"
    "提交变化（即使记录没改），员工站客户页的“修改历史”也缺了更早的部分。请取完整历史：本机运行 "
    "git fetch --unshallow；GitHub Actions 里给 actions/checkout 加 fetch-depth: 0，"
    "GitLab CI 里设变量 GIT_DEPTH: 0。"
)


@dataclass(frozen=True)
class BuildRequest:
    """What the command line asks of a build: the identity the user named (`-i FILE`), and
    whether this is the staff site. The staff site is asked for here only, by `baodan build
    --staff` and `baodan serve`, never by a setting in mkdocs.yml or anywhere else in the
    repository: a changed file must not be able to put plaintext client data in the public
    site. A plain `mkdocs build` is the public site (and finds an identity as the CLI would).
    It reaches the plugin on the loaded configuration (``request``), in memory only."""

    identity: IdentitySource | None = None
    staff: bool = False


def request(config, identity: IdentitySource | None, *, staff: bool = False) -> None:
    """Ask the build of a loaded MkDocs configuration to decrypt with ``identity`` and to be
    the staff site when ``staff`` is set."""
    plugin = config.plugins.get("baodan")
    if plugin is not None:
        plugin.config.request = BuildRequest(identity, staff)


class BaodanConfig(base.Config):
    enabled = opt.Type(bool, default=True)
    kb_dir = opt.Type(str, default="kb")
    portal_dir = opt.Type(str, default="p")
    calendar_dir = opt.Type(str, default="feeds")
    # Set by request() on the loaded configuration; mkdocs.yml cannot write a BuildRequest.
    request = opt.Type(BuildRequest, default=BuildRequest())

    def options(self) -> dict:
        """The options as the pages may read them: all but the request (the identity)."""
        return {k: v for k, v in self.items() if k != "request"}


class BaodanPlugin(BasePlugin[BaodanConfig]):
    """Adds the firm's pages, portals and feeds to a Material site."""

    def __init__(self):
        self.firm = None
        self.staff = False
        self.pages: list[GeneratedPage] = []
        self.page_fragments: dict[str, dict[str, str]] = {}
        self.search_entries: list[dict] = []  # the client pages' (web/client_shell.py)
        self.stats: dict[str, int] = {}
        self.build_date = PinnedBuildDate()
        self.cache: RecordCache | None = None
        self.serve: ServeState | None = None
        self.files: Files | None = None
        self.ctx: SiteContext | None = None
        self.job: FileJob | None = None
        self.unchanged: set[str] = set()  # `baodan serve`: pages the previous build wrote
        self.shell: ClientShell | None = None  # this build's client page shell
        self.client_job: ClientPagesJob | None = None
        self.csp = True  # whether pages get their Content-Security-Policy (web/csp.py)
        self.policies: dict[str, str] = {}  # this build's, by the pages' base address
        self.base_urls: dict[str, str] = {}  # of the pages (and templates) being rendered
        self.theme_env = None
        self.templates = CompiledTemplates()  # kept across `baodan serve`'s rebuilds

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps this plugin object across the rebuilds of `mkdocs serve`,
        # so the records it decrypted stay in memory and a rebuild decrypts only changed ones;
        # with dirty rebuilds (`baodan serve`) it writes only the pages that changed.
        if self.serve:
            self.serve.close()
        self.cache = RecordCache() if command == "serve" else None
        # The live-reload server of `mkdocs serve` writes an inline script into every page it
        # serves, which a Content-Security-Policy would block: previews go without one.
        self.csp = command != "serve"
        self.serve = ServeState() if command == "serve" and dirty else None

    def on_config(self, config):
        if not self.config.enabled:
            return config
        _quiet_jieba()
        self.staff = self.config.request.staff
        root = Path(config.config_file_path or ".").resolve().parent
        serving = self.ctx.history if self.cache is not None and self.ctx else None
        now = today()
        pending_history = PendingHistory(root, commits=self.staff, previous=serving)
        try:
            self.firm, feed_secret, documents = self._load(root, now)
        finally:
            history = pending_history.result()
        if self.serve:
            self.serve.settle()
        settings = self.firm.settings
        # Material writes the site's name and copyright into its pages as HTML, unescaped.
        config.site_name = escape(settings.name)
        if not config.copyright:
            config.copyright = escape(settings.name) + (
                "（演示站点，数据均为虚构）" if settings.demo else ""
            )
        if settings.site_url and not config.site_url:
            config.site_url = str(settings.site_url)
        config.theme.dirs.insert(0, str(TEMPLATES / "overrides"))
        config.theme["font"] = False  # no Google Fonts: nothing may load from a third party
        if settings.brand.logo:
            config.theme["logo"] = settings.brand.logo
            config.theme["favicon"] = settings.brand.logo
        config.extra_css.append("assets/baodan/site.css")
        config.extra_javascript.append("assets/baodan/search.js")
        if self.staff:
            config.extra_css.append("assets/baodan/staff.css")
            config.extra_javascript.append("assets/baodan/staff.js")
        self.build_date.pin(history, now)
        if history.shallow:
            log.warning(SHALLOW_WARNING)
        self.ctx = ctx = SiteContext(
            self.firm,
            now,
            self.staff,
            self._env(),
            options=self.config.options(),
            history=history,
            feed_secret=feed_secret,
            documents=documents,
            directory_urls=config.use_directory_urls,
            parallel=self.cache is None,
            permalink_title=config.mdx_configs.get("toc", {}).get(
                "permalink_title", "Permanent link"
            ),
        )
        if self.serve:
            firm = self.firm
            shared = (now, settings, firm.insurers, firm.staff, firm.partners, history)
            ctx.renders = self.serve.renders_for(shared)
            ctx.per_client = self.serve.per_client
        self.client_job = None
        if self.staff and ctx.parallel:
            self.client_job = _client_pages(ctx, config.site_dir)
        self.pages = self._generate(ctx)
        self.page_fragments = {p.uri: p.fragments for p in self.pages if p.fragments}
        self.search_entries = []
        if not config.nav:
            config.nav = _nav(self.pages)
        return config

    def on_pre_build(self, *, config):
        # this plugin completes a dirty rebuild's search index itself (on_post_build)
        if self.serve and not forget_previous_index(config):
            _unpatched("Material 搜索插件的 search_index_prev")

    def on_files(self, files: Files, /, *, config) -> Files:
        if not self.config.enabled:
            return files
        unchanged = self.serve.unchanged(_setup(config), self.pages) if self.serve else set()
        self.unchanged = unchanged
        for page in self.pages:
            if files.get_file_from_path(page.uri) is not None:
                files.remove(files.get_file_from_path(page.uri))
            if isinstance(page, ShellPage):
                files.append(shell_file(config, page.uri))
                continue
            kind = UnchangedFile if page.uri in unchanged else File
            files.append(
                kind.generated(config, page.uri, content=page.content, inclusion=page.inclusion)
            )
        # MkDocs has emptied the site folder by now: portals and feeds can be written into it.
        builders = builders_for(self.staff)
        if client_portals in builders:
            self.ctx.portal_shell = portal_shell(
                config,
                self.templates.theme_env(config),
                self.firm.settings,
                main_stylesheet(config),
            )
        off_page = [b for b in builders if b not in self._on_page(builders)]
        self.job = FileJob(self.ctx, off_page, config.site_dir, parallel=self.ctx.parallel)
        self.job.start()
        if self.serve:
            remove_files(self.serve.record(files))
        return files

    def on_nav(self, nav, /, *, config, files):
        if not any(isinstance(p, ShellPage) for p in self.pages):
            return nav
        # The client page shell needs the nav; with it, the workers write the client pages.
        env = self._theme_globals(self.templates.theme_env(config), config)
        self.shell = ClientShell(
            config, nav, files, env, partial(self._with_policy, env=env, config=config)
        )
        if self.client_job is not None:
            self.client_job.give(self.shell)
        return nav

    def on_env(self, env, /, *, config, files):
        self.files = files
        self.theme_env = self.templates.use(env)
        self.policies = {}
        if self.config.enabled:
            # Before Material's search plugin segments the first page, and after the worker
            # processes have started (on_files, on_nav): loading jieba's dictionary takes
            # half a second and 50 MB, which they need not wait for nor copy.
            learn_words(self.firm.rules)
            self._theme_globals(env, config)
        return env

    def _theme_globals(self, env, config):
        env.globals["bd_nav"] = NavCache()  # per build: the nav may change
        env.globals["material_css"] = main_stylesheet(config)
        env.globals["firm_settings"] = self.firm.settings
        env.globals["firm_tel"] = tel(self.firm.settings.contact.phone)
        return env

    # After the search plugin has indexed the page (default priority): the fragments' HTML
    # stays out of its reading.
    @event_priority(-100)
    def on_page_context(self, context, /, *, page, config, nav):
        if not self.config.enabled:
            return context
        uri = page.file.src_uri
        if self.serve:
            self.serve.built.add(page.url)
        if uri in self.page_fragments:
            page.content = insert_fragments(page.content, self.page_fragments[uri])
        self.base_urls[uri] = context["base_url"]
        return context

    def on_post_page(self, output, /, *, page, config):
        uri = page.file.src_uri
        return self._with_policy(output, uri, self.base_urls.pop(uri, ""), self.theme_env, config)

    def on_template_context(self, context, /, *, template_name, config):
        self.base_urls[template_name] = context["base_url"]
        return context

    def on_post_template(self, output_content, /, *, template_name, config):
        base_url = self.base_urls.pop(template_name, "")
        if template_name.endswith(".html"):  # 404.html, not sitemap.xml
            return self._with_policy(
                output_content, template_name, base_url, self.theme_env, config
            )
        return output_content

    def _with_policy(self, html: str, name: str, base_url: str, env, config) -> str:
        """The page ``name`` with its Content-Security-Policy: Material's inline scripts for
        pages at ``base_url`` allowed, no other (web/csp.py)."""
        if not (self.config.enabled and self.csp):
            return html
        if base_url not in self.policies:
            self.policies[base_url] = policy(theme_scripts(env, config, base_url))
        try:
            return with_policy(html, self.policies[base_url])
        except ValueError:
            raise PluginError(
                f'页面 {name} 没有 <meta charset="utf-8">，无法加上内容安全策略（CSP）：'
                "主题模板被改过的话，请恢复 Material 的 base.html"
            ) from None

    def on_serve(self, server, /, *, config, builder):
        if not hostguard.install(server):  # fail closed: no preview open to other sites
            raise PluginError("无法把预览限制为只接受本机地址的访问，预览没有启动")
        noted = self.cache.changes if self.cache else None  # rebuilds read what changed
        if self.serve and not watch_with_events(server, config.watch, noted):
            _unpatched("MkDocs 预览服务器的 _watched_paths")
        return server

    # After Material's search plugin has written search_index.json (its on_post_build runs at
    # the default priority), whatever the order of the plugins in mkdocs.yml.
    @event_priority(-100)
    def on_post_build(self, *, config):
        if not self.config.enabled:
            return
        written = self.job.finish()
        self.job = None
        portal_dir = self.config.portal_dir + "/"
        self.stats["portals"] = sum(
            uri.startswith(portal_dir) and uri.endswith("/index.html") for uri in written
        )
        self.stats["feeds"] += sum(map(is_feed, written))
        self.stats["files"] += len(written)
        self._write_shell_pages(config)
        complete = None
        if self.serve:
            urls = [f.url for f in self.files.documentation_pages()]
            urls += [f.url for f in self.files if isinstance(f, ShellFile)]
            complete = partial(self.serve.complete_search, urls=urls)
        index = Path(config.site_dir) / "search" / "search_index.json"
        memo = self.serve.segmented if self.serve else None
        refine_search_index(index, self.search_entries, complete, memo)
        if search_plugin(config) and not mend_search_worker(Path(config.site_dir)):
            _unpatched("Material 搜索脚本（search worker）")
        if self.client_job is not None:
            self.client_job.finish()
            self.client_job = None
        fill_empty_folders(config.site_dir)  # last: every other file is written by now
        self.files = self.shell = None  # its pages are garbage now (settle)
        self.build_date.release()

    def on_build_error(self, *, error):
        for job in (self.job, self.client_job):
            if job is not None:
                job.cancel()
        self.job = self.client_job = None
        self.build_date.release()

    def _write_shell_pages(self, config) -> None:
        """The client pages MkDocs leaves alone (web/client_shell.py), and their search
        entries; `baodan serve` writes only those that changed."""
        pages = [p for p in self.pages if isinstance(p, ShellPage)]
        if pages and self.client_job is None:
            changed = [p for p in pages if p.uri not in self.unchanged]
            self.shell.write(changed, config.site_dir)
        for page in pages:
            url = self.files.get_file_from_path(page.uri).url
            # Material's search shows an entry's title and text as HTML.
            self.search_entries.append(
                {
                    "location": url,
                    "title": escape(page.title),
                    "text": escape(page.search),
                    "whole": True,  # staff_pages.client_search_text cut its words already
                }
            )
            self.search_entries += [
                {"location": f"{url}#{anchor}", "title": escape(title), "text": escape(text)}
                for anchor, title, text in page.sections
            ]

    def _on_page(self, builders: list) -> list:
        """The builders whose files go through MkDocs: all but the off-page ones, except that
        `baodan serve` makes the staff feeds here, to reuse those whose events did not change."""
        return [b for b in builders if b not in OFF_PAGE or (self.serve and b is staff_feeds)]

    def _env(self):
        """The Jinja environment; `baodan serve` keeps it, with its compiled templates."""
        if self.serve is None:
            env = make_env(TEMPLATES)
            env.auto_reload = False  # no template changes during a build: no stat per render
            return env
        if self.serve.env is None:
            self.serve.env = make_env(TEMPLATES)
        return self.serve.env

    def _load(self, root: Path, today: date):
        """The firm as of ``today``, the secret its feeds' event UIDs are made with, and the
        reader of its documents."""
        try:
            source = self.config.request.identity
            if source is None:  # plain `mkdocs build`: the CLI, which warns itself, did not run
                source = find_identity(root)
                if source.is_demo:
                    log.warning(DEMO_WARNING)
                if warning := identity_file_warning(source):
                    log.warning(warning)
            vault = Workspace.at(root, source).vault
            memo = self.serve.per_client["checks"] if self.serve else None
            firm, errors = load_firm(
                root, vault, today, self.cache, slots_for(self.staff), memo=memo
            )
        except BaodanError as e:
            raise PluginError(render_errors(e.errors)) from None
        if errors:
            raise PluginError(
                f"记录有 {len(errors)} 处问题，网站未生成：\n" + render_errors(errors)
            )
        return firm, firm_secret(vault, UID_PURPOSE), DocumentReader(root, vault)

    def _generate(self, ctx: SiteContext) -> list[GeneratedPage]:
        pages = [
            GeneratedPage("assets/baodan/site.css", ctx.render("site.css.j2")),
            # Cleans Material's search results (see the file); every page of both sites has it.
            GeneratedPage(
                "assets/baodan/search.js", (TEMPLATES / "assets/search.js").read_text("utf-8")
            ),
        ]
        pages.extend(page for b in self._on_page(builders_for(ctx.staff)) for page in b(ctx))
        self.stats = {
            "pages": sum(p.uri.endswith(".md") for p in pages),
            "feeds": sum(is_feed(p.uri) for p in pages),
            "files": len(pages),
        }
        return pages


def _client_pages(ctx: SiteContext, site_dir: str) -> ClientPagesJob:
    """The staff client pages, started: forked workers make them while this process makes and
    renders the other pages, and write them when on_nav gives them the page shell."""
    prepare_client_pages(ctx)

    def write(pages: list[ShellPage], shell: ClientShell) -> None:
        shell.write(pages, site_dir)

    make = partial(staff_client_page, search=False)  # staff_clients makes their search entries
    job = ClientPagesJob(ctx, make, write, parallel=True)
    job.start()
    return job


def _unpatched(what: str) -> None:
    """A patch of MkDocs/Material internals (web/material/) did not apply."""
    log.warning(
        f"{what} 与 baodan 预期的不同（MkDocs 或 Material 的版本变了），相应的修补没有生效。"
        "请安装 baodan 要求的版本：pip install -e .（或重新安装 baodan）"
    )


def _setup(config) -> tuple:
    """What every page's HTML depends on besides its content: the site's settings and nav,
    and the MkDocs configuration files (serve reloads them when they change)."""
    folder = Path(config.config_file_path or ".").resolve().parent
    stamps = [(p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("mkdocs*.yml"))]
    return (config.site_name, config.copyright, config.site_url, repr(config.nav), stamps)


def _quiet_jieba() -> None:
    # Material's Chinese search segmentation loads jieba, which logs its set-up at INFO.
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


def _nav(pages: list[GeneratedPage]) -> list:
    """A nav tree from the pages' nav paths, in the order the builders produced them.
    A section's index page (kb/index.md) opens its section. Titles are HTML (Material writes
    them as they are), so a lecture's title is escaped."""
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
        level.append(page.uri if is_index else {escape(page.nav[-1]): page.uri})
    return tree
