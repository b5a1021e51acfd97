"""The loader never crashes: random and malformed records only ever produce RecordError values."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pyrage
import yaml
from baodan.checks import load_firm
from baodan.core import files
from baodan.core.errors import RecordError
from baodan.core.parse import parse_record
from baodan.core.today import today
from baodan.models import (
    Claim,
    Client,
    Insurer,
    Interaction,
    Lecture,
    Policy,
    Settings,
    Staff,
)
from baodan.store import identity as who
from baodan.store import members, vault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyrage import x25519

MODELS = [Client, Policy, Claim, Interaction, Insurer, Staff, Settings, Lecture]
FIELDS = sorted({name for m in MODELS for name in m.model_fields})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(["110105194912310021", "11010519491231002X", "13800138000", "BD-2026-7K3QX"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=12)
yaml_texts = st.one_of(
    documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.text(max_size=200),
    st.sampled_from(
        [
            "? [a, b]\n: 1\n",
            "a: &x [*x]\n",
            "!!python/object:os.system x\n",
            "a: !!binary aGVsbG8=\n",
            "registry_no: 1\nregistry_no: 2\n",
            "a: " + "[" * 200 + "]" * 200 + "\n",
            "- 2026-02-30\n",
            "sum_insured: 1e400\n",
        ]
    ),
)

retired_lists = st.lists(
    st.dictionaries(st.sampled_from(["registry_no", "retired", "reason"]) | st.text(), scalars)
    | scalars,
    max_size=3,
).map(lambda items: yaml.safe_dump(items, allow_unicode=True))

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A whole firm folder per example (keys, files, load): fewer examples, same kinds of input.
FUZZ_FIRM = settings(FUZZ, max_examples=100)


def _assert_errors(result) -> None:
    record, errors = result
    assert all(isinstance(e, RecordError) for e in errors)
    assert (record is None) == bool(errors) or record is not None
    for e in errors:
        e.render()


@FUZZ
@given(model=st.sampled_from(MODELS), text=yaml_texts)
def test_parse_record_only_returns_error_values(model, text):
    _assert_errors(parse_record(model, text, "records/x.yaml"))


@FUZZ
@given(model=st.sampled_from(MODELS), data=st.binary(max_size=200))
def test_parse_record_survives_bytes_that_are_not_text(model, data):
    _assert_errors(parse_record(model, data.decode("utf-8", "replace"), "records/x.yaml"))


def _tiny_firm(root: Path):
    me = x25519.Identity.generate()
    members.init_keys(root, "me", str(me.to_public()))
    (root / "records/firm.yaml").write_text("name: 测试公司\ncontact:\n  phone: '95500'\n", "utf-8")
    return vault.open_vault(root, who.IdentitySource([me], "test"))


SLOTS = [
    "records/clients/c-00000001/client.yaml.age",
    "records/clients/c-00000001/policies/BD-2026-7K3QX.yaml.age",
    "records/clients/c-00000001/claims/cl-00000001.yaml.age",
    "records/clients/c-00000001/interactions/2026-01-01-1.yaml.age",
    "records/clients/c-00000001/tasks/t-00000001.yaml.age",
    "records/clients/c-00000002/policies/BD-2026-AAAAA.yaml.age",
]
PLAIN = [
    "records/firm.yaml",
    "records/retired.yaml",
    "records/insurers/picc.yaml",
    "records/staff/wang-fang.yaml",
]
age_like = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: files.ARMOR_BEGIN + b"\n" + b),
    st.binary(max_size=300).map(lambda b: files.BINARY_BEGIN + b"\n" + b),
)


@FUZZ_FIRM
@given(
    encrypted=st.lists(
        st.tuples(
            st.sampled_from(SLOTS),
            st.one_of(age_like, yaml_texts, st.binary(max_size=50).map(bytearray)),
        ),
        max_size=6,
    ),
    plain=st.lists(st.tuples(st.sampled_from(PLAIN), yaml_texts | retired_lists), max_size=4),
)
def test_load_firm_only_returns_error_values(encrypted, plain):
    root = Path(tempfile.mkdtemp(prefix="baodan-fuzz-"))
    try:
        v = _tiny_firm(root)
        for rel, content in encrypted:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                content = bytearray(content.encode())
            if isinstance(content, bytearray):  # random plaintext, properly encrypted
                content = pyrage.encrypt(bytes(content), [v.recipient()], armored=True)
            path.write_bytes(content)
        for rel, text in plain:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        firm, errors = load_firm(root, v, today())
        assert all(isinstance(e, RecordError) for e in errors)
        assert firm is not None or errors
    finally:
        shutil.rmtree(root)


def test_impossible_date_and_foreign_encoding_are_reported_not_raised(tmp_path):
    record, errors = parse_record(Policy, "product: 测试\neffective: 2026-02-30\n", "p.yaml")
    dates = [e for e in errors if e.field == "effective"]
    assert record is None and dates[0].source.line == 2 and "不是有效日期" in dates[0].message
    assert "2026-03-01" in dates[0].hint  # a date hint, not one about YAML's indentation
    v = _tiny_firm(tmp_path)
    (tmp_path / "records/staff").mkdir(parents=True)
    (tmp_path / "records/staff/wang-fang.yaml").write_bytes("name: 王芳\n".encode("gbk"))
    (tmp_path / "records/retired.yaml").write_text("- retired_on: 2026-01-01\n", "utf-8")
    _, errors = load_firm(tmp_path, v, today())
    rendered = "\n".join(e.render() for e in errors)
    assert "records/staff/wang-fang.yaml: 文件不是 UTF-8 编码的文字" in rendered
    assert "records/retired.yaml:1: 字段 [0].registry_no: 缺少必填字段" in rendered


def test_errors_about_an_id_number_do_not_repeat_it():
    """`baodan check` output lands in CI logs: a mistyped ID number is not echoed."""
    text = "kind: person\nname: 张三\nid_number: '1101051949123100'\n"
    _, errors = parse_record(Client, text, "records/clients/c-1/client.yaml.age")
    message = next(e for e in errors if e.field == "id_number").render()
    assert "现在是 16 个字符" in message and "1101051949123100" not in message
