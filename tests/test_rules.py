"""Rules a firm tunes in its own repository: records/rules/<name>.yaml replaces the package's
data/<name>.yaml, is validated like a record, and a mistake in it names the file and line."""

from __future__ import annotations

import re
from datetime import date

from baodan.checks import load_firm
from baodan.checks.rules import RULE_FILES
from baodan.core.rules import Rules, default_text
from baodan.core.today import today
from baodan.domain import care
from baodan.models.taxonomy import Taxonomy

from .helpers import run_cli

OURS = "{salutation}，过年好！这是{firm}自己的问候。——{manager}"


def _greetings_on(firm_dir, day: date) -> dict[str, str]:
    firm, errors = load_firm(firm_dir.root, firm_dir.vault(), today())
    assert errors == []
    return {g.cf.client.id: g.message for g in care.greeting_queue(firm, day, days=1)}


def test_the_firms_own_care_file_changes_a_greeting(firm, capsys):
    spring_festival = date(2027, 2, 6)
    before = _greetings_on(firm, spring_festival)
    assert any("新春快乐" in m for m in before.values())

    code, out, err = run_cli(capsys, "rules", "care")
    assert code == 0 and "records/rules/care.yaml" in out, err
    path = firm.root / "records/rules/care.yaml"
    assert path.read_text("utf-8") == default_text("care")
    text = path.read_text("utf-8")
    start = text.index("  spring_festival:")
    line = text.index("    person:", start)
    end = text.index("\n", line)
    path.write_text(text[:line] + f'    person: "{OURS}"' + text[end:], "utf-8")

    after = _greetings_on(firm, spring_festival)
    people = [cid for cid, m in after.items() if "过年好" in m]
    assert people and all("自己的问候" in after[cid] for cid in people)
    assert run_cli(capsys, "check")[0] == 0
    code, out, _ = run_cli(capsys, "rules")
    assert "care.yaml：" in out and "公司自己的" in out


def test_a_broken_rule_file_is_named_with_its_line_and_what_to_do(firm, capsys):
    path = firm.root / "records/rules/care.yaml"
    path.parent.mkdir(parents=True)
    text = default_text("care").replace("greeting_days: 7", "greeting_days: 0")
    text = text.replace("{salutation}，新春快乐", "{name}，新春快乐")
    path.write_text(text, "utf-8")
    lines = text.splitlines()
    days = lines.index("greeting_days: 0") + 1
    festival = lines.index("  spring_festival:") + 1
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert f"records/rules/care.yaml:{days}: 字段 greeting_days" in err and "≥ 1" in err
    assert f"records/rules/care.yaml:{festival}: 字段 occasions.spring_festival" in err
    assert "不认识的占位符" in err and "只能用 {firm}" in err  # the hint: what it may say
    code, _, err = run_cli(capsys, "greetings")
    assert code == 1 and "records/rules/care.yaml" in err and "Traceback" not in err


def test_a_rule_file_baodan_does_not_have_is_named(firm, capsys):
    path = firm.root / "records/rules/greetings.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("greeting_days: 3\n", "utf-8")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "records/rules/greetings.yaml" in err and "care.yaml" in err


def test_every_rule_file_has_a_default_that_its_schema_reads():
    for name, (model, about) in RULE_FILES.items():
        assert Rules().get(name, model) is not None and about


def test_init_explains_the_rules_in_chinese(tmp_path, capsys, monkeypatch):
    from baodan.store import identity

    monkeypatch.setattr(identity, "default_identity_path", lambda: tmp_path / "id.txt")
    monkeypatch.delenv("BAODAN_IDENTITY", raising=False)
    code, out, err = run_cli(capsys, "init", str(tmp_path / "new"), "--member", "boss")
    assert code == 0, err
    assert "records/rules/README.md" in out
    readme = (tmp_path / "new/records/rules/README.md").read_text("utf-8")
    assert "baodan rules" in readme and all(f"{name}.yaml" in readme for name in RULE_FILES)


PET = """  pet:
    name: 宠物保险
    line: property
    needs: []
    subcategories: {medical: 宠物医疗险}
"""
PET_RULE = """  - code: pet_cover
    kind: person
    lacks: [pet/medical]
    suggest: 宠物医疗险
    reason: 养宠物但没有宠物保险
"""


def _rule_file(firm_dir, name: str, text: str) -> None:
    path = firm_dir.root / "records/rules" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_the_firms_own_taxonomy_is_what_policies_and_rules_are_checked_against(firm, capsys):
    loaded, errors = load_firm(firm.root, firm.vault(), today())
    assert errors == []
    used = {p.category for _, p in loaded.policies()}
    # A category the firm's policies use, and that no default cross-sell rule names.
    gone = next(c for c in sorted(used) if not re.search(rf"\b{c}\b", default_text("cross_sell")))
    # A cross-sell rule on a category the package does not have: refused with its defaults.
    _rule_file(firm, "cross_sell", default_text("cross_sell") + PET_RULE)
    code, _, err = run_cli(capsys, "check")
    assert (
        code == 1 and "records/rules/cross_sell.yaml" in err and "不认识的险种“pet/medical”" in err
    )
    # The firm's taxonomy adds pet and drops a category its policies use.
    text = default_text("taxonomy")
    start = text.index(f"  {gone}:\n")
    end = text.index("\n  ", text.index("subcategories:", start)) + 1
    _rule_file(firm, "taxonomy", text[:start] + text[end:] + PET)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "cross_sell.yaml" not in err
    assert f"不认识的险种大类“{gone}”" in err and "pet（宠物保险）" in err
    assert "records/clients/" in err and "policies/" in err


def test_the_firms_own_labels_name_the_fields(firm):
    from baodan.domain.labels import Names

    text = default_text("labels").replace("premium: ", "premium: 本公司叫法·", 1)
    assert text != default_text("labels")
    _rule_file(firm, "labels", text)
    names = Names.of(Rules(firm.root))
    assert names.label("premium").startswith("本公司叫法·")
    assert Names.of(Rules()).label("premium") != names.label("premium")


def test_rules_are_read_once_per_firm_and_equal_a_fresh_read(firm, monkeypatch):
    from baodan.domain.care import CareRules

    text = default_text("care").replace("greeting_days: 7", "greeting_days: 3")
    _rule_file(firm, "care", text)
    rules = Rules(firm.root)
    first = rules.get("care", CareRules)
    package = Rules().get("taxonomy", Taxonomy)
    looked: list[str] = []
    monkeypatch.setattr(Rules, "override", lambda self, name: looked.append(name))
    assert rules.get("care", CareRules) is first and first.greeting_days == 3
    assert rules.get("taxonomy", Taxonomy) == package
    assert rules.get("taxonomy", Taxonomy) is rules.get("taxonomy", Taxonomy)
    assert looked == ["taxonomy"]  # the firm's file is looked for once per rules
    monkeypatch.undo()
    assert Rules(firm.root).get("care", CareRules) == first
