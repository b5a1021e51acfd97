"""yamlio.load's line parser (core/blockyaml.py) gives exactly what the libyaml path gives:
the same values and types for every record baodan writes (demo firm, a benchmark firm, the
templates) and for hostile and odd documents; whatever it is not sure of it declines, and
then the value or the Chinese error and its line are the libyaml path's."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
from baodan.core import blockyaml, layout, yamlio
from baodan.store import identity as who
from baodan.store import vault
from baodan.store.loader import split_front_matter

from .conftest import REPO


def _fast(text: str):
    return blockyaml.parse(text, yamlio._plain_value)


def _outcome(load, text: str):
    try:
        return "value", load(text)
    except yamlio.YamlError as e:
        return "error", str(e), e.line, e.hint


def _same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 == True == Decimal(1), 1.0 != 1.00)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            _same(ka, kb) and _same(a[ka], b[kb]) for ka, kb in zip(a, b, strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b and repr(a) == repr(b)


def assert_like_libyaml(text: str) -> bool:
    """yamlio.load gives what the libyaml path gives (value or error); returns whether the
    line parser read the document itself."""
    old = _outcome(yamlio.load_libyaml, text)
    new = _outcome(yamlio.load, text)
    assert new[0] == old[0] and (_same(new[1], old[1]) if new[0] == "value" else new == old), text
    try:
        fast = _fast(text)
    except blockyaml.Declined:
        return False
    assert old[0] == "value" and _same(fast, old[1]), text
    return True


def _decrypted_records(root: Path, identities: list) -> dict[str, str]:
    """Every record of a firm as text: decrypted records, plain ones, lecture front matter."""
    firm_vault = vault.open_vault(root, who.IdentitySource(identities, "test"))
    texts = {}
    for path in sorted((root / "records").rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.name.endswith(".yaml.age"):
            texts[rel] = firm_vault.decrypt(path.read_bytes()).decode()
        elif path.suffix == ".yaml":
            texts[rel] = path.read_text("utf-8")
        elif path.suffix == ".md" and (front := split_front_matter(path.read_text("utf-8"))):
            texts[rel] = front[0]
    return texts


def _read_all_by_the_line_parser(texts: dict[str, str]) -> None:
    declined = [rel for rel, text in texts.items() if not assert_like_libyaml(text)]
    assert not declined  # every record baodan writes takes the fast path


def test_every_record_of_the_demo_firm():
    identities = who.parse_identities((REPO / layout.DEMO_IDENTITY_FILE).read_text(), "demo")
    texts = _decrypted_records(REPO, identities)
    kinds = {rel.split("/")[-2] for rel in texts}
    assert len(texts) > 400 and {"policies", "claims", "interactions", "documents"} <= kinds
    _read_all_by_the_line_parser(texts)


@pytest.mark.slow
def test_every_record_of_a_benchmark_firm(tmp_path):
    folder = tmp_path / "firm"
    subprocess.run(
        [sys.executable, REPO / "benchmarks/make_firm.py", folder, "--clients", "5"],
        check=True,
        capture_output=True,
    )
    identities = who.parse_identities((folder / "BENCH-IDENTITY.txt").read_text(), "bench")
    texts = _decrypted_records(folder, identities)
    assert len(texts) > 50
    _read_all_by_the_line_parser(texts)


def test_every_record_of_the_test_firm(firm_template):
    _read_all_by_the_line_parser(_decrypted_records(firm_template.root, firm_template.identities))


TEMPLATES = sorted((REPO / "generator/baodan/data/templates").glob("*.yaml"))
FILLED = {
    "today": "2026-11-27",
    "staff": "wang-fang",
    "registry_no": "BD-2026-7AXG9",
    "client_name": "张三",
    "client_id": "c-0018c678",
    "claim_id": "cl-30ece45e",
    "claim_types": "medical / accident",
    "portal_id": "-lC0Gm6IaZYnO-2AMhDmHw",
    "portal_key": "NRB6Z-4G2HT-AA5XP-V9FZT",
    "feed_token": "yUlJjOz4xHClhb6h1T0Udw",
}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_template_blank_and_filled(path):
    text = path.read_text("utf-8")
    assert assert_like_libyaml(text)
    assert assert_like_libyaml(Template(text).safe_substitute(FILLED))


def test_package_rules_equal_whichever_path_reads_them():
    for path in sorted((REPO / "generator/baodan/data").glob("*.yaml")):
        assert_like_libyaml(path.read_text("utf-8"))  # flow mappings there: the libyaml path


# Values as a person or a program might write them after "key: ", in a list, as a key.
SCALARS = [
    *("a#b", "a #b", "a # b # c", "#a", "'a #b'", '"a #b"', "a#", "a  #b"),
    *("a: b", "'a: b'", '"a: b"', "a:b", "a:", "a :b", "http://x.cn/a?q=1&b=2", "10:30"),
    *(
        "保单 😀",
        "𠀀中文",
        "张&李",
        "x &y",
        "x *y",
        "A&B",
        "*号",
        "x" * 3000,
        "中" * 2000,
        "a\u3000b",
        "\u3000a",
    ),
    *("abc   ", "'abc'   ", "abc # c   ", "'a'b'", "'a'#c", "'a' #c", "'it''s'", "''", "'"),
    *('"', '""', '"a\\nb"', '"a\\"b"', '"a\\\\b"', '"\\u4e2d"', '"a\\x41"', '"a\\/b"', '"a\\qb"'),
    *("no", "No", "NO", "n", "on", "On", "off", "yes", "Y", "y", "true", "False", "TRUE"),
    *("~", "null", "Null", "NULL", "nul", "None", "", "  "),
    *("2026-02-30", "2026-02-03", "2026-2-3", "2026-13-01", "2026-02-03T10:00:00"),
    *("2026-02-03 10:00:00", "2026-02-03t1:2:3Z", "2001-12-14 21:59:43.10 -5", "2026-02-29"),
    *("007", "0o7", "08", "09", "0x1F", "0b101", "1_000", "1e3", "1.5e3", "1.0e+3", ".5", "1."),
    *("-1", "+1", "-.inf", ".nan", ".NaN", "190:20:30", "3.14", "1,000", "'007'", '"007"', "0"),
    *("-", "- a", "-a", "--a", "---", "...", "?", "? a", "?a", ":a", ": a", "=", "<<", "@a"),
    *("`a", "%a", "&a", "*a", "!a", "!!str 5", "!!int '7'", "|", ">", "|-", "|+", "|2", ">-"),
    *("[a, b]", "[]", "[ ]", "{}", "{a: 1}", "[a, [b]]", "[a, 'b']", "[a,b,]", "[ a , b ]"),
    *("[a #c]", "[a] # c", "[a]x", "[a, b", "[1, 2, 007, yes, ~, 2026-02-30]", "[a:b]", "[-a]"),
    *("[保单保管, 续保提醒]", "[a b,  c]", "[?a]", "[a, - b]", "[,]", "{a: [1]}", "a [b]"),
    *("a\tb", "\tb", "a\rb", "a\x85b", "a\u2028b", "\ufeffa", "a\x00b", "a\x7fb", "a\x1bb"),
    *("\\path", "a\\nb", "a 'b' c", 'a "b" c', "a, b", "a]", "a}", "100%", "a|b", "a>b"),
]
KEYS = [
    *("on", "no", "Yes", "1", "1.0", "2026-01-01", "2026-02-30", "~", "null", "<<", "="),
    *("'key'", '"key"', "a b", "a#b", "a #b", "-a", "[a]", "? a", "a:b", "key ", "中文"),
    *("k" * 300, "中" * 150, "&a", "*a", "!a", "%a", "@a", "a'b", "0x1F", "007"),
]


@pytest.mark.parametrize("value", SCALARS)
def test_hostile_scalars_in_every_place(value):
    docs = [
        f"id: c-1\nnotes: {value}\nafter: 1\n",
        f"notes: {value}",
        f"list:\n- {value}\n- x\n",
        f"list:\n  - {value}\n  - x\nafter: 2\n",
        f"items:\n- name: {value}\n  n: 1\n- name: x\n",
        f"deep:\n  deeper:\n    - a: 1\n      b: {value}  # comment\n",
        f"flow: [a, {value}, c]\n",
        f"{value}: key\n",
        f"- {value}\n",
        f"a:\n  {value}\n",
    ]
    for doc in docs:
        assert_like_libyaml(doc)


@pytest.mark.parametrize("key", KEYS)
def test_odd_keys(key):
    for doc in (f"{key}: 1\n", f"a: 1\n{key}: x\nb:\n  {key}: y\n", f"- {key}: 1\n  z: 2\n"):
        assert_like_libyaml(doc)


STRUCTURES = [
    # indentation
    "a:\n    b: 1\n    c: 2\nd: 3\n",
    "a:\n b: 1\n c: 2\n",
    "a:\n   b: 1\n  c: 2\n",
    "a:\n  b: 1\n   c: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "  a: 1\n  b: 2\n",
    "  a: 1\nb: 2\n",
    "a: 1\n  b: 2\n",
    "a:\n- b\nc: d\n",
    "a:\n  - b\n - c\n",
    "a:\n  - b\n- c\n",
    "a:\n- b\n  - c\n",
    "a:\n    - b\n    - c\n",
    "- a\nb: 1\n",
    "a: 1\n- b\n",
    "- - a\n  - b\n- c\n",
    "- - - a\n",
    "-   a: 1\n    b: 2\n-   c: 3\n",
    "-   a: 1\n  b: 2\n",
    "- \n  a: 1\n",
    "-\n  a: 1\n  b: 2\n",
    "-\n  - a\n",
    "-\n- a\n",
    "- a:\n  - x\n- b\n",
    "- a:\n    x: 1\n  b: 2\n",
    "- a:\n- b:\n",
    "a:\nb:\n",
    "a:\n\n\n  b: 1\n",
    "a:\n  \n  b: 1\n     \n",
    "a: b\n  c\n",
    "- a\n  b\n",
    "a: b\n  - c\n",
    "a: 'b\n  c'\n",
    'a: "b\n  c"\n',
    "a: [b,\n  c]\n",
    "a: {b: 1,\n  c: 2}\n",
    # comments
    "# top\na: 1 # one\n# middle\n  # indented\nb:   # nothing yet\n  c: 2\n",
    "a:\n# col 0 inside\n  b: 1\n      # deep\n  c: 2\n",
    "- # after a dash\n  a: 1\n",
    "list:\n# between\n- a\n  # deeper\n- b\n",
    "a: 1 #no space#\nb: 'x' # q\nc: \"y\"   # dq\nd: [1, 2] # fl\n",
    "a: 1#not a comment\n",
    "#\n#\n",
    "",
    "\n\n  \n",
    "just text\n",
    "- only\n- a list\n",
    # duplicates
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "1: a\n1.0: b\n",
    "yes: a\ntrue: b\n",
    "1: a\ntrue: b\n",
    "null: a\n~: b\n",
    "2026-01-01: a\n2026-1-1: b\n",
    "- a: 1\n  a: 2\n",
    # markers, directives, anchors, tags
    "---\na: 1\n",
    "a: 1\n...\n",
    "a: 1\n---\nb: 2\n",
    "--- a\n",
    "--- a: 1\n",
    "a: 1\n--- b: 2\n",
    "a: 1\n... b: 2\n",
    "a: 1\n---: 2\n...: 3\n",
    "...: 1\n",
    "a: 1\n  ---: 2\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: &x 1\nb: *x\n",
    "a: *x\n",
    "a: !!str 1\n",
    "<<: {a: 1}\nb: 2\n",
    "a: 1\n<<: {b: 2}\n",
    "? a\n: b\n",
    "? [a]\n: b\n",
    # separators
    "key:value\n",
    "key :value\n",
    "key : value\n",
    "key:  value\n",
    "key:\tvalue\n",
    "key: value\t\n",
    "\ta: 1\n",
    "a: 1\r\nb: 2\r\n",
    "a: 1\rb: 2\n",
    "a: 1",
    "a:",
    "a: 1\n\n\n",
    # literal and folded blocks
    "a: |\n  one\n  two\nb: 1\n",
    "a: |-\n  one\n\n  two\n\n\nb: 1\n",
    "a: |\n  one\n   two\n  # not a comment\n  three: 3\nb: 1\n",
    "a: |\n  one\n",
    "a: |\n  one",
    "a: |-\n  one",
    "a: |\n  one\n\n",
    "a: |+\n  one\n\n",
    "a: |2\n   one\n",
    "a: >\n  one\n  two\n",
    "a: >-\n  one\n",
    "a: | # c\n  one\n",
    "a: |\nb: 1\n",
    "a: |\n\n  one\n",
    "a: |\n  \n  one\n",
    "a: |\n    \n  one\n",
    "a: |\n  one\n    \n  two\n",
    "a: |\n  one\n      \n",
    "a: |\n    one\n  two\n",
    "a: |\n one\nb: 2\n",
    "- |\n  one\n- |-\n  two\n",
    "- a: |\n    one\n  b: 2\n",
    "- a: |\n  one\n",
    "list:\n- |\n  one\n- x\n",
    "list:\n- |\n one\n",
    "a:\n  b: |-\n    one\n    two\n  c: 3\n",
    "a: x |\n  one\n",
    "a: 'x: |\n  one\n",
    "a: b # c: |\n  one\n",
    "a: b: |\n  one\n",
    "a: |\n  中文 😀\n  a: b # c\n",
    "a: |\n  one\n---\n",
    "|\n  one\n",
    "- - |\n    one\n",
    # depth
    "a:\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 80)) + "  " * 80 + "v: 1\n",
    "".join(f"{'  ' * i}- \n" for i in range(80)) + "  " * 80 + "- x\n",
    "- " * 3000 + "x\n",
    "a: " + "[" * 3000 + "]" * 3000 + "\n",
]


@pytest.mark.parametrize("text", STRUCTURES)
def test_odd_structures(text):
    assert_like_libyaml(text)


def test_the_line_parser_reads_what_baodan_writes_and_declines_the_rest():
    read = [
        "a: 1 #c\nb: |-\n  x\n  y\nc:\n- d: [1, 2]\n  e: 'f: g'\n",
        "a: ''\nb: 'it''s'\nc: \"q\\nr\"\nd: 2026-02-30\ne: no\nf: 007\ng: ~\n",
        "list:\n  - a: 1\n    b: 2\n  - 3\n",
    ]
    declined = ["a: &x 1\n", "a: {b: 1}\n", "a: b\n  c\n", "a:\tb\n", "---\na: 1\n", "a: 1\na: 2\n"]
    assert all(map(assert_like_libyaml, read))
    assert not any(map(assert_like_libyaml, declined))


def test_values_are_the_libyaml_values():
    data = _fast(
        "date: 2026-03-01\nbad: 2026-02-30\nsum: 1234.50\nn: 0x1F\nok: yes\nno: on\n"
        "zip: 007\nnone:\nflow: [1, a, 2026-03-01]\nnotes: |-\n  a\n\n  b\n"
    )
    assert isinstance(data["bad"], yamlio.NotADate) and data["bad"] == "2026-02-30"
    assert str(data["sum"]) == "1234.50" and data["n"] == 31 and data["ok"] is True
    assert data[False] is True and data["zip"] == 7 and data["none"] is None
    assert data["notes"] == "a\n\nb"


def test_bytes_are_read_as_utf8_or_declined():
    assert _fast("名字: 张三\n".encode()) == {"名字": "张三"}
    with pytest.raises(blockyaml.Declined):
        _fast("名字: 张三\n".encode("gb18030"))
    with pytest.raises(yamlio.YamlError):
        yamlio.load("名字: 张三\n".encode("gb18030"))


def test_nesting_too_deep_is_a_chinese_error():
    for text in ("- " * 3000 + "x\n", "a: " + "[" * 3000 + "]" * 3000 + "\n"):
        with pytest.raises(yamlio.YamlError, match="嵌套层数太多"):
            yamlio.load(text)


def test_errors_keep_their_message_and_line():
    for text, line in [
        ("a: 1\nb: 2\na: 3\n", 3),
        ("a: 1\nb: x: y\n", 2),
        ("a:\n  b: 1\n c: 2\n", 3),
    ]:
        with pytest.raises(yamlio.YamlError) as caught:
            yamlio.load(text)
        assert caught.value.line == line == _outcome(yamlio.load_libyaml, text)[2]


# Mutations of real records: each line changed in a way a person editing a file might.
MUTATIONS = [
    lambda line: line + "  ",
    lambda line: line + " # 备注",
    lambda line: line + "#x",
    lambda line: " " + line,
    lambda line: line[1:],
    lambda line: line.replace(": ", ":  ", 1),
    lambda line: line.replace(": ", ":", 1),
    lambda line: line.replace(": ", ": '", 1),
    lambda line: line.replace(": ", ": '", 1) + "'",
    lambda line: line.replace(": ", ': "', 1) + '"',
    lambda line: line.replace(": ", ": [", 1) + "]",
    lambda line: line.replace(": ", ": |\n    ", 1),
    lambda line: line.replace("- ", "-   ", 1),
    lambda line: line.replace("- ", "-\n  ", 1),
    lambda line: line + "\n" + line,
    lambda line: line + "\n# 注释",
    lambda line: line + "\n  # 注释",
    lambda line: line + "\n",
    lambda line: "",
    lambda line: line + ": x",
    lambda line: line + " - x",
    lambda line: line.upper(),
]


@pytest.mark.parametrize("seed", range(4))
def test_mutated_records(firm_template, seed):
    texts = list(_decrypted_records(firm_template.root, firm_template.identities).values())
    rng = random.Random(seed)
    values = [s for s in SCALARS if "\n" not in s]
    read = 0
    for text in rng.sample(texts, 40):
        lines = text.split("\n")
        for _ in range(6):
            i = rng.randrange(len(lines))
            changed = list(lines)
            if rng.random() < 0.5:
                changed[i] = rng.choice(MUTATIONS)(changed[i])
            elif ": " in changed[i]:
                changed[i] = changed[i].split(": ", 1)[0] + ": " + rng.choice(values)
            read += assert_like_libyaml("\n".join(changed))
    assert read > 60  # the line parser read many of them itself


def test_caches_hold_only_immutable_values():
    text = "a: [1, 2]\nb:\n- [1, 2]\n- x: []\nc: x\nd: |\n  one\ne: |\n  two\n"
    data = _fast(text)
    data["a"].append(3), data["b"][0].append(3), data["b"][1]["x"].append(3)
    assert _fast(text) == {
        "a": [1, 2],
        "b": [[1, 2], {"x": []}],
        "c": "x",
        "d": "one\n",
        "e": "two\n",
    }
    assert _fast("d: |\n  three\n") == {"d": "three\n"}  # the same header, another block
    pairs = itertools.chain.from_iterable(blockyaml._PAIRS.values())
    cached = itertools.chain(blockyaml._VALUES.values(), blockyaml._KEYS.values(), pairs)
    assert all(isinstance(v, (str, int, Decimal, date, type(None))) for v in cached)


def test_a_read_firm_keeps_no_remembered_lines(firm):
    """The caches serve reading a firm; afterwards their line texts would only add to a
    build's peak memory (the records keep the values they use)."""
    from baodan.core.today import today
    from baodan.store.loader import read_firm

    read_firm(firm.root, firm.vault(), today())
    assert not (blockyaml._KEYS or blockyaml._VALUES or blockyaml._PAIRS)
    assert not yamlio._SCALAR_VALUES
