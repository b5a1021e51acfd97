"""Material's search plugin as baodan reaches into it: finding it, and its previous index."""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError


def search_plugin(config):
    """Material's search plugin (named material/search in a Material site), if enabled."""
    found = config.plugins.get("material/search") or config.plugins.get("search")
    return found if found is not None and found.config.get("enabled", True) else None


def forget_previous_index(config) -> bool:
    """Material merges a dirty rebuild's entries into its previous index (``search_index_prev``)
    assuming one page changed; `baodan serve` completes the index itself (ServeState). False
    when the search plugin no longer keeps that index (a rebuild's index may then be partial)."""
    search = search_plugin(config)
    if search is None:
        return True
    if not hasattr(search, "search_index_prev"):
        return False
    search.search_index_prev = None
    return True


def installed_search_keeps_previous_index() -> bool:
    """Whether the installed Material's search plugin still keeps and merges its previous index."""
    import inspect

    from material.plugins.search.plugin import SearchPlugin

    return "search_index_prev" in inspect.getsource(SearchPlugin.on_post_build) and hasattr(
        SearchPlugin(), "search_index_prev"
    )


def main_stylesheet(config) -> str:
    """Material's main stylesheet (its name carries a hash), for pages with their own template."""
    for folder in config.theme.dirs:
        found = sorted(Path(folder).glob("assets/stylesheets/main.*.min.css"))
        if found:
            return found[0].relative_to(folder).as_posix()
    raise PluginError("找不到 Material 主题的样式表 assets/stylesheets/main.*.min.css")
