"""Records changed from code keep their comments, key order and list indentation."""

from __future__ import annotations

import pytest
from baodan.core import yamlio

INDENTLESS = "# 客户\nid: c-1\nfamily:\n- name: 张三\n  relation: 配偶\nfeed:\n  token: old\n"
INDENTED = "# 客户\nid: c-1\nfamily:\n  - name: 张三\n    relation: 配偶\nfeed:\n  token: old\n"


@pytest.mark.parametrize("text", [INDENTLESS, INDENTED])
def test_changing_one_value_changes_one_line(text):
    data = yamlio.load_roundtrip(text)
    data["feed"]["token"] = "new"
    assert yamlio.dump_roundtrip(data, like=text) == text.replace("token: old", "token: new")
