"""The staff pages' fast paths write exactly what the plain ones did: the small pieces as
functions (web/staff_html.py) what the macros they replaced wrote, hostile values included,
and the audit labels looked up once what domain.audit.item_label gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import jinja2
import pytest
from baodan.core.rules import Rules
from baodan.domain.audit import checklist, item_label
from baodan.domain.renewals import STAGES
from baodan.models.policy import STATUSES
from baodan.web.context import TEMPLATES, make_env
from baodan.web.staff_pages import audit_labels

# The macros as _staff.html.j2 had them (the plain path).
MACROS = """\
{% macro policy_ref(no) %}{% set url = policy_url(no, here) %}{% if url %}<a class="bd-nw" href="{{ url }}">{{ no }}</a>{% else %}{{ nw(no) }}{% endif %}{% endmacro %}
{% macro nw(value) %}<span class="bd-nw">{{ value if value is not none else "" }}</span>{% endmacro %}
{% macro level(l) %}<span class="bd-level bd-level-{{ {'低': 'low', '中': 'mid', '高': 'high'}[l] }}">{{ l }}</span>{% endmacro %}
{% macro status(code) %}<span class="bd-chip bd-status-{{ code }}">{{ STATUSES[code] }}</span>{% endmacro %}
{% macro stage(code) %}<span class="bd-chip bd-stage-{{ code }}">续保：{{ STAGES[code] }}</span>{% endmacro %}
{% macro term(p) %}{{ nw(p.effective) }} 至 {{ nw(p.terminates or "终身") }}{% endmacro %}
{% macro insurer_short(code) %}{{ firm.insurers[code].short_name if code in firm.insurers else code }}{% endmacro %}
{% macro lines(text) %}{{ text | e | replace("\\n", "<br>" | safe) }}{% endmacro %}
"""
HOSTILE = "<script>alert(\"x\")</script> & 'q' | [a](javascript:x) *b* _c_\nsecond\r\nthird"
CALLS = """\
{% for v in values %}[{{ h.nw(v) }}|{{ h.lines(v) }}|{{ h.policy_ref(v) }}|{{ h.insurer_short(v) }}]
{% endfor %}
{% for l in levels %}{{ h.level(l) }}{% endfor %}
{% for code in statuses %}{{ h.status(code) }}{% endfor %}
{% for code in stages %}{{ h.stage(code) }}{% endfor %}
{% for p in policies %}{{ h.term(p) }}{% endfor %}
"""


@pytest.mark.parametrize("kind", ["html", "md"])
def test_each_piece_writes_what_its_macro_wrote(kind):
    env = make_env(TEMPLATES)
    env.loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(
                {
                    "old.html.j2": MACROS,
                    f"plain.{kind}.j2": '{% import "old.html.j2" as h with context %}' + CALLS,
                    f"fast.{kind}.j2": '{% import "_staff.html.j2" as h %}' + CALLS,
                }
            ),
            env.loader,
        ]
    )
    firm = SimpleNamespace(
        insurers={
            "PICC": SimpleNamespace(short_name="人保<财险>"),
            "X": SimpleNamespace(short_name=HOSTILE),
        }
    )
    values = dict(
        values=[
            HOSTILE,
            "BD-2026-7K3QX",
            "PICC",
            "X",
            "",
            None,
            0,
            date(2026, 3, 1),
            Decimal("1.50"),
        ],
        levels=["低", "中", "高"],
        statuses=list(STATUSES),
        stages=list(STAGES),
        policies=[
            SimpleNamespace(effective=date(2026, 1, 1), terminates=date(2026, 12, 31)),
            SimpleNamespace(effective=date(2026, 1, 1), terminates=None),
            SimpleNamespace(effective=HOSTILE, terminates=HOSTILE),
        ],
        here="staff/clients/c-1.md",
        firm=firm,
        STATUSES=STATUSES,
        STAGES=STAGES,
    )
    # A link for some numbers only (the firm holds the policy), one with characters to escape.
    links = {"BD-2026-7K3QX": "../c-2/#bd-2026-7k3qx", HOSTILE: '../x/"#<y>'}
    env.globals["policy_url"] = lambda no, here: links.get(no)
    plain = env.get_template(f"plain.{kind}.j2").render(**values)
    fast = env.get_template(f"fast.{kind}.j2").render(**values)
    assert fast == plain
    assert "&lt;script&gt;" in fast and "<br>second" in fast and "<script>" not in fast


def test_audit_labels_looked_up_once_are_the_checklists_labels():
    rules = Rules()
    label = audit_labels(rules)
    for medium in ("paper", "electronic"):
        codes = [item.code for item in checklist(medium, rules)] + ["no_such_item"]
        for code in codes:
            assert label(medium, code) == item_label(medium, code, rules)
