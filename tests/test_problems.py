"""Problems carry their message and hint as two fields (core.errors.Problem), never as one
"message|hint" string that every reader must split the same way."""

from __future__ import annotations

import ast
from pathlib import Path

from baodan.core.errors import Problem
from baodan.core.parse import parse_record
from baodan.models.client import Client

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "baodan"
RAISED = {"ValueError", "Problem", "FieldProblem", "BaodanError"}


def _strings(node: ast.AST):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def test_no_message_joins_its_hint_with_a_bar():
    joined = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            texts = [s for arg in node.args for s in _strings(arg)]
            if getattr(node.func, "id", None) in RAISED and any("|" in s for s in texts):
                joined.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if getattr(node.func, "attr", None) == "partition" and "|" in texts:
                joined.append(f"{path.relative_to(PACKAGE)}:{node.lineno} (reads one)")
    assert not joined


def test_a_validator_problem_reaches_the_staff_as_message_and_hint(tmp_path):
    text = "id: c-00000001\nkind: person\nname: 张三\nmobile: '12345'\nsince: 2020-01-01\n"
    _, errors = parse_record(Client, text, "records/clients/c-00000001/client.yaml")
    mobile = next(e for e in errors if e.field == "mobile")
    assert mobile.message.startswith("手机号应为 11 位数字") and "|" not in mobile.message
    assert mobile.hint.startswith("请核对号码")
    assert mobile.source.line == 4


def test_a_library_error_becomes_a_problem_without_a_hint():
    problem = Problem.of(ValueError("bad"))
    assert (problem.message, problem.hint) == ("bad", "")
    same = Problem("消息", "办法")
    assert Problem.of(same) is same and str(same) == "消息"
