"""YAML can't be a bomb: anchors and aliases are refused in every record and form (with the
file and line), a record above 256 KB is refused before anything parses or decrypts it, and
no message repeats raw input unbounded or lets its control characters reach the terminal."""

from __future__ import annotations

import pytest
from baodan.core import yamlio
from baodan.core.errors import BaodanError
from baodan.core.layout import KEYS_DIR, MEMBERS_FILE
from baodan.store import age_x25519, members, vault

from . import factories as c
from .helpers import read_record, run_cli, tree_digest, write_record
from .test_intake import GOOD

# Nine lines that stand for 10^9 strings once aliases are expanded.
LAUGHS = 'lol0: &a0 ["lol"]\n' + "".join(
    f"lol{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 9)
)
CLIENT = "records/clients/c-00000001/client.yaml.age"


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: &x 1\nb: *x\n", 1),
        ("name: 张伟\nfamily:\n  - &p {name: 李娜}\n  - *p\n", 3),
        ("base: &b {x: 1}\nmerged:\n  <<: *b\n", 1),
        ("notes: |\n  A&B\nx: !!str &y z\n", 3),  # "&" in a value first: the scan reads on
        ("a: [1,&x 2]\nb: [*x]\n", 1),  # after a flow indicator
        ('{"a":&x 1, b: *x}\n', 1),
        ("a:\t&x 1\nb: *x\n", 1),  # after a tab
        ("\ufeff&k a: 1\n", 1),  # at the start, after a byte-order mark
        (LAUGHS, 1),
    ],
)
def test_anchors_and_aliases_are_refused_with_their_line(text, line):
    for data in (text, text.encode()):
        with pytest.raises(yamlio.YamlError, match="锚点") as e:
            yamlio.load(data)
        assert e.value.line == line and "引号" in e.value.hint
    with pytest.raises(BaodanError, match="锚点"):
        yamlio.load_roundtrip(text, "records/x.yaml")  # what edits start from


@pytest.mark.parametrize(
    "text", ["name: 张&李 合伙企业\n", "a: '&x'\nb: \"*y\"\n", "u: a?b=1&c=2\n"]
)
def test_an_ampersand_in_a_value_is_just_text(text):
    assert "&" in str(yamlio.load(text)) or "*" in str(yamlio.load(text))


def test_a_record_bomb_is_refused_by_check_with_file_and_line(firm, capsys):
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    text = read_record(firm.root, CLIENT, firm.identities)
    write_record(firm.root, CLIENT, text + LAUGHS.replace("lol0:", "x_lol0:"), firm.identities)
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert f"{CLIENT}:{text.count(chr(10)) + 1}: YAML 格式错误：不能使用锚点（&）和别名（*）" in err


def test_an_intake_form_with_aliases_is_refused_and_nothing_is_written(firm, capsys, tmp_path):
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    form = tmp_path / "form.yaml"
    form.write_text(GOOD.replace("  name: 张伟\n", "  name: &n 张伟\n") + "notes: *n\n", "utf-8")
    before = tree_digest(firm.root)
    code, out, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 1 and f"{form}:9: YAML 格式错误：不能使用锚点" in err
    assert tree_digest(firm.root) == before


def test_retired_list_and_members_file_refuse_aliases(firm, capsys):
    (firm.root / "records/retired.yaml").write_text("- &r BD-2026-7K3QX\n- *r\n", "utf-8")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "records/retired.yaml:1: YAML 格式错误：不能使用锚点" in err
    path = firm.root / KEYS_DIR / MEMBERS_FILE
    path.write_text(path.read_text() + "x: &k [a, b]\ny: *k\n")
    with pytest.raises(BaodanError, match="members.yaml:.*锚点"):
        members.read_members(firm.root)


def test_an_oversized_record_is_refused_before_it_is_parsed(firm, capsys, monkeypatch):
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    text = read_record(firm.root, CLIENT, firm.identities)
    write_record(firm.root, CLIENT, text + "notes: '" + "长" * 90_000 + "'\n", firm.identities)
    parsed = []
    real = yamlio._Loader.__init__
    monkeypatch.setattr(yamlio._Loader, "__init__", lambda s, t: parsed.append(t) or real(s, t))
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and f"{CLIENT}: 文件太大（264 KB），一份记录最多 256 KB" in err
    assert not any("长长长" in str(t) for t in parsed)


def test_an_oversized_encrypted_file_is_not_decrypted(firm, capsys, monkeypatch):
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    v = firm.vault()
    (firm.root / CLIENT).write_bytes(v.encrypt(b"id: c-00000001\n" + b"#" * 600_000 + b"\n"))
    opened = []
    real = age_x25519.decrypt
    monkeypatch.setattr(age_x25519, "decrypt", lambda d, k: opened.append(len(d)) or real(d, k))
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and f"{CLIENT}: 加密文件太大" in err
    assert max(opened) < vault.MAX_CIPHERTEXT  # the key file only


def test_an_oversized_plain_record_is_refused(firm, capsys):
    staff = next((firm.root / "records/staff").glob("*.yaml"))
    staff.write_text(staff.read_text("utf-8") + "# " + "x" * 300_000 + "\n", "utf-8")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "文件太大（293 KB）" in err


def test_messages_show_raw_input_short_and_without_control_characters(firm, capsys):
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    text = read_record(firm.root, CLIENT, firm.identities)
    evil = "\\x1b]0;pwned\\x07\\x1b[2J" + "长" * 5000  # YAML escapes: ESC, BEL
    key = evil[:900]  # YAML keys on one line stop at 1024 characters
    text = text.replace("tier: B", f'tier: "{evil}"') + f'"{key}": 1\n'
    write_record(firm.root, CLIENT, text, firm.identities)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "不是可选值" in err and "不认识的字段" in err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned" in err
    assert len(err) < 2000 and "长" * 50 not in err


def test_a_duplicate_field_name_is_shown_not_repr():
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.load("名字: 1\n名字: 2\n")
    assert "重复的字段名“名字”" in str(e.value)
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.load(f'"{"x" * 900}\\e": 1\n"{"x" * 900}\\e": 2\n')
    assert len(str(e.value)) < 100 and "\x1b" not in str(e.value)


def test_a_control_character_in_a_file_is_named_in_chinese_with_its_line():
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.load("a: 1\nb: x\x1by\n")
    assert e.value.line == 2 and "控制字符" in str(e.value) and "\x1b" not in str(e.value)
