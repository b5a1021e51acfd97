"""Compiled theme templates are shared between a build's Jinja environments and kept between
`baodan serve`'s rebuilds; an edited template is compiled again, never served stale."""

from __future__ import annotations

from baodan.web.material.compiled_templates import CompiledTemplates
from jinja2 import DictLoader, Environment


def test_a_template_compiles_once_and_an_edited_one_again():
    cache = CompiledTemplates()
    sources = {"page.html": "<p>{{ name }}</p>"}

    def render() -> str:  # a new environment each time, as MkDocs makes one per build
        env = cache.use(Environment(loader=DictLoader(sources)))
        return env.get_template("page.html").render(name="甲")

    assert render() == "<p>甲</p>"
    assert len(cache.code) == 1
    compiled = next(iter(cache.code.values()))
    assert render() == "<p>甲</p>" and next(iter(cache.code.values())) is compiled  # reused
    sources["page.html"] = "<div>{{ name }}</div>"
    assert render() == "<div>甲</div>"  # the edit is seen, not the cached code
