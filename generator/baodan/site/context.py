"""What page builders share: the loaded firm, the plugin settings, the templates, today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from mkdocs.structure.files import InclusionLevel

from ..history import History
from ..models import Firm
from ..models.base import mask_id, mask_mobile, mask_policy_no
from ..models.taxonomy import category_name, subcategory_name

TEMPLATES = Path(__file__).resolve().parents[3] / "site_templates"


@dataclass
class GeneratedPage:
    """A file the build adds: Markdown pages, and assets or feeds as bytes or text.

    ``nav`` is the nav path for pages that belong in the nav (("知识库", "2026") …);
    pages without it are kept out of the nav (client portals, feeds).
    """

    uri: str
    content: str | bytes
    nav: tuple[str, ...] | None = None
    title: str | None = None

    @property
    def inclusion(self) -> InclusionLevel:
        return InclusionLevel.INCLUDED if self.nav is not None else InclusionLevel.NOT_IN_NAV


def yuan(value) -> str:
    """Money as people read it: 500000 → 50万元, 1234.5 → 1,234.50元."""
    if value is None:
        return ""
    if value >= 10000 and value % 100 == 0:
        wan = value / 10000
        return f"{wan.normalize():f}万元"
    return f"{value:,.2f}元"


def cell(value) -> str:
    """Text safe inside a Markdown table cell: one line, no column breaks, no raw HTML."""
    if value is None:
        return ""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def make_env(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates / "pages")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown output; values are escaped with |e where HTML is built
    )
    env.filters.update(
        yuan=yuan,
        mask_id=mask_id,
        mask_mobile=mask_mobile,
        mask_policy_no=mask_policy_no,
        category_name=category_name,
        cell=cell,
    )
    env.globals.update(subcategory_name=subcategory_name)
    return env


@dataclass
class SiteContext:
    firm: Firm
    today: date
    staff: bool
    env: jinja2.Environment
    options: dict = field(default_factory=dict)
    history: History = field(default_factory=lambda: History({}))  # records' git history

    def render(self, template: str, **values) -> str:
        return self.env.get_template(template).render(
            firm=self.firm,
            settings=self.firm.settings,
            today=self.today,
            options=self.options,
            **values,
        )
