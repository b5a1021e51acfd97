"""The small pieces of HTML the staff pages write thousands of times (dates, levels, statuses,
links to policies), as functions: _staff.html.j2 hands them to the templates under the names
its macros had (``h.nw(…)``), because a Jinja macro call costs several times a function's and
a staff build makes hundreds of thousands of them. Each returns what its macro did: escaped
values in fixed markup, as Markup (tests/test_staff_html.py holds them equal to the macros).
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup, escape

from baodan.domain.renewals import STAGES
from baodan.models.policy import STATUSES

LEVEL_CLASSES = {"低": "low", "中": "mid", "高": "high"}


def nw(value) -> Markup:
    """A value kept on one line."""
    return Markup(f'<span class="bd-nw">{escape(value if value is not None else "")}</span>')


def level(value: str) -> Markup:
    """A risk level (低 / 中 / 高) as its coloured mark."""
    return Markup(
        f'<span class="bd-level bd-level-{escape(LEVEL_CLASSES[value])}">{escape(value)}</span>'
    )


def status(code: str) -> Markup:
    """A policy's display status as its chip."""
    return Markup(f'<span class="bd-chip bd-status-{escape(code)}">{escape(STATUSES[code])}</span>')


def stage(code: str) -> Markup:
    """A renewal stage as its chip."""
    return Markup(
        f'<span class="bd-chip bd-stage-{escape(code)}">续保：{escape(STAGES[code])}</span>'
    )


def term(p) -> Markup:
    """A policy's term: from … to … (终身 without an end)."""
    return Markup(f"{nw(p.effective)} 至 {nw(p.terminates or '终身')}")


def lines(text) -> Markup:
    """Text with its line breaks kept."""
    return Markup(str(escape(text)).replace("\n", "<br>"))


@jinja2.pass_context
def policy_ref(context, no: str) -> Markup:
    """A registry number linking to its policy's section, from the page being rendered
    (``here``); the number alone when the firm holds no such policy."""
    url = context["policy_url"](no, context["here"])
    if url:
        return Markup(f'<a class="bd-nw" href="{escape(url)}">{escape(no)}</a>')
    return nw(no)


@jinja2.pass_context
def insurer_short(context, code: str) -> Markup:
    """An insurer's short name (its code when the firm does not know it)."""
    insurers = context["firm"].insurers
    return escape(insurers[code].short_name if code in insurers else code)
