"""Merging two versions of a record by field: the pure function the merge driver uses."""

from __future__ import annotations

import typing

import pytest
from baodan.core import yamlio
from baodan.core.parse import parse_record
from baodan.core.yamlmerge import CONFLICTS_KEY, add_note, merge, split_note
from baodan.models import Claim, Client, Incident, Interaction, Policy, Task
from baodan.models.base import Model
from baodan.models.listkeys import LIST_KEYS, list_keys

BASE = """\
# 客户主档（注释要留下）
id: c-1
city: 北京  # 常住地
occupation: 会计
family:
  - name: 张伟
    relation: 配偶
    mobile: '13800000000'
  - name: 张小
    relation: 子女
consent:
  purposes: [保单保管, 续保提醒]
"""


def three_way(base: str, ours: str, theirs: str, keys=None):
    b, o, t = (yamlio.load_roundtrip(x) for x in (base, ours, theirs))
    merged, conflicts = merge(b, o, t, keys if keys is not None else list_keys(Client))
    return yamlio.dump_roundtrip(merged, like=ours), conflicts


def test_different_fields_take_each_sides_change_and_keep_ours_comments():
    ours = BASE.replace("会计", "教师")
    theirs = BASE.replace("北京", "上海")
    text, conflicts = three_way(BASE, ours, theirs)
    assert conflicts == []
    assert "city: 上海  # 常住地" in text
    assert "occupation: 教师" in text
    assert text.startswith("# 客户主档（注释要留下）\n")


def test_the_same_change_on_both_sides_is_no_conflict():
    ours = theirs = BASE.replace("北京", "上海")
    text, conflicts = three_way(BASE, ours, theirs)
    assert conflicts == [] and "city: 上海" in text


def test_a_field_changed_differently_keeps_ours_and_names_both_values():
    text, conflicts = three_way(BASE, BASE.replace("北京", "广州"), BASE.replace("北京", "上海"))
    assert [(c.field, c.base, c.ours, c.theirs) for c in conflicts] == [
        ("city", "北京", "广州", "上海")
    ]
    assert "city: 广州" in text


def test_list_items_are_matched_by_identity_not_position():
    # Theirs adds a member at the top and changes 张伟's mobile; ours adds one at the end.
    ours = BASE.replace(
        "    relation: 子女\n", "    relation: 子女\n  - name: 李父\n    relation: 父母\n"
    )
    theirs = BASE.replace("'13800000000'", "'13900000000'").replace(
        "  - name: 张伟", "  - name: 王母\n    relation: 父母\n  - name: 张伟"
    )
    text, conflicts = three_way(BASE, ours, theirs)
    assert conflicts == []
    family = yamlio.load(text)["family"]
    assert [m["name"] for m in family] == ["王母", "张伟", "张小", "李父"]
    assert family[1]["mobile"] == "13900000000"


def test_a_conflict_inside_a_list_item_is_named_by_its_final_position():
    ours = BASE.replace("'13800000000'", "'13700000000'")
    theirs = BASE.replace("'13800000000'", "'13900000000'").replace(
        "  - name: 张伟", "  - name: 王母\n    relation: 父母\n  - name: 张伟"
    )
    _, conflicts = three_way(BASE, ours, theirs)
    assert [c.field for c in conflicts] == ["family[1].mobile"]  # 张伟 is second now


def test_plain_lists_merge_as_sets():
    ours = BASE.replace("[保单保管, 续保提醒]", "[保单保管, 续保提醒, 理赔协助]")
    theirs = BASE.replace("[保单保管, 续保提醒]", "[保单保管, 讲座通知]")
    text, conflicts = three_way(BASE, ours, theirs)
    assert conflicts == []
    assert yamlio.load(text)["consent"]["purposes"] == ["保单保管", "理赔协助", "讲座通知"]


def test_deleted_on_one_side_changed_on_the_other_is_a_conflict():
    ours = BASE.replace("  - name: 张小\n    relation: 子女\n", "")  # ours removes 张小
    theirs = BASE.replace(
        "    relation: 子女\n", "    relation: 子女\n    birth_date: 2010-01-01\n"
    )
    _, conflicts = three_way(BASE, ours, theirs)
    assert len(conflicts) == 1 and conflicts[0].field == "family[1]"
    assert conflicts[0].theirs["birth_date"].isoformat() == "2010-01-01"


def test_deleted_on_one_side_unchanged_on_the_other_stays_deleted():
    ours = BASE.replace("occupation: 会计\n", "")
    theirs = BASE.replace("北京", "上海")
    text, conflicts = three_way(BASE, ours, theirs)
    assert conflicts == [] and "occupation" not in text and "city: 上海" in text


def test_claim_stages_added_on_both_sides_are_all_kept_in_order():
    base = "stages:\n  - stage: reported\n    date: 2026-01-05\n"
    ours = base + "  - stage: collecting\n    date: 2026-01-08\n"
    theirs = base + "  - stage: collecting\n    date: 2026-01-09\n    note: 补材料\n"
    text, conflicts = three_way(base, ours, theirs, list_keys(Claim))
    assert conflicts == []
    stages = yamlio.load(text)["stages"]
    assert [(s["stage"], s["date"].day) for s in stages] == [
        ("reported", 5),
        ("collecting", 8),
        ("collecting", 9),
    ]


def test_the_note_round_trips_and_a_record_with_one_is_refused_by_name():
    ours = BASE.replace("北京", "广州").replace("id: c-1\n", "id: c-1\nkind: person\n")
    b, o, t = (yamlio.load_roundtrip(x) for x in (BASE, ours, BASE.replace("北京", "上海")))
    merged, conflicts = merge(b, o, t, list_keys(Client))
    add_note(merged, conflicts)
    text = yamlio.dump_roundtrip(merged, like=ours)
    clean, note = split_note(text)
    assert CONFLICTS_KEY not in clean and "city: 广州" in clean
    assert note == [{"field": "city", "base": "北京", "ours": "广州", "theirs": "上海"}]
    _, errors = parse_record(Client, text, "records/clients/c-1/client.yaml.age")
    assert errors[0].message.startswith("未解决的合并冲突") and "city" in errors[0].message
    assert "上海" not in errors[0].render() and "广州" not in errors[0].render()


def _model_lists(model: type, prefix: str = "") -> set[str]:
    """Paths of the fields of ``model`` that hold lists of sub-records."""
    found = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        for arg in [info.annotation, *typing.get_args(info.annotation)]:
            inner = typing.get_args(arg)
            if typing.get_origin(arg) is list and inner and isinstance(inner[0], type):
                if issubclass(inner[0], Model):
                    found.add(path)
                    found |= _model_lists(inner[0], f"{path}.")
            elif isinstance(arg, type) and issubclass(arg, Model):
                found |= _model_lists(arg, f"{path}.")
    return found


@pytest.mark.parametrize("model", [Client, Policy, Claim, Incident, Interaction, Task])
def test_every_list_of_sub_records_says_what_identifies_an_item(model):
    assert _model_lists(model) == set(list_keys(model))
    assert set(LIST_KEYS) <= {Client, Policy, Claim, Incident, Interaction, Task}
