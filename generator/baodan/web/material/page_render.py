"""A page rendered with the theme outside MkDocs' page loop (the staff client page shell).

MkDocs sets ``config._current_page`` while it renders a page (its ``!relative`` YAML tag and
Material's hooks read it) and builds the template context with ``get_context``; neither is
plugin API, so this module is the one place that does what MkDocs' ``_build_page`` does.
"""

from __future__ import annotations

from mkdocs.commands.build import get_context


def render_page(env, template: str, nav, files, config, page) -> str:
    config._current_page = page
    try:
        return env.get_template(template).render(get_context(nav, files, config, page))
    finally:
        config._current_page = None


def installed_mkdocs_has_current_page() -> bool:
    """Whether the installed MkDocs still renders pages with ``config._current_page`` set."""
    import inspect

    from mkdocs.commands import build
    from mkdocs.config.defaults import MkDocsConfig

    return hasattr(MkDocsConfig, "_current_page") and "_current_page" in inspect.getsource(
        build._build_page
    )
