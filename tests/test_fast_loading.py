"""The loader's fast paths read records exactly as the general ones do: the same values, the
same Chinese errors, the same firm whether or not records are loaded in worker processes."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import pyrage
import pytest
import yaml
from baodan.checks import load_firm
from baodan.core import yamlio
from baodan.core.parse import parse_record
from baodan.core.today import today
from baodan.models import Interaction
from baodan.store import age_x25519, vault
from baodan.store import loader as records
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyrage import ssh, x25519

from .helpers import require_tool, run_cli

DOCUMENTS = {
    "record": "date: 2026-03-01\nkind: call\nsummary: 电话回访\nsum: 1234.50\nn: 0x1F\nok: yes\n",
    "nested": "a:\n  - {x: 1, y: [1, 2, ~]}\n  - - deep\n    - 2026-03-01 10:00:00\n",
    "explicit_tags": "a: !!str 123\nb: !!float 2\nc: !!int '7'\n",
    "non_string_keys": "1: one\n2026-03-01: day\nnull: nothing\n",
    "quoted": "phone: '95518'\nempty: ''\nspace: ' x '\n",
    "scalar_document": "just text\n",
    "empty_document": "",
    "ampersand_in_text": "name: 张&李 合伙企业\n",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_fast_yaml_gives_the_values_pyyaml_gives(name):
    text = DOCUMENTS[name]
    try:
        expected = yaml.load(text, Loader=yamlio._Loader)
    except yaml.YAMLError:
        with pytest.raises(yamlio.YamlError):
            yamlio.load(text)
        return
    got = yamlio.load(text)
    assert got == expected and repr(got) == repr(expected)  # repr: same types too


def test_money_stays_exact_and_dates_are_dates():
    data = yamlio.load(DOCUMENTS["record"])
    assert data["sum"] == Decimal("1234.50") and isinstance(data["date"], date)


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("date: 2026-03-01\nkind: call\ndate: 2026-03-02\n", "重复的字段名“date”", 3),
        ("a: [1, 2\nb: 3\n", "YAML 格式错误：方括号 [ ] 没有配对", 1),  # where it opened
        ("a: 1\n---\nb: 2\n", "YAML 格式错误：一个文件只能有一份记录", 2),
        ("a: !python/object {}\n", "YAML 格式错误：以 ! 开头的值要加引号", 1),
        ("a: 1\n\tb: 2\n", "YAML 格式错误：用了 Tab 键缩进", 2),
        ("notes: 时间: 下午\n", "YAML 格式错误：这一行多了“冒号+空格”", 1),
        ("a: '未闭合\nb: 2\n", "YAML 格式错误：从这一行开始的引号或括号一直没有结束", 1),
        ("a: 1\nb: !!int 'abc'\n", "YAML 格式错误：以 ! 开头的值要加引号", 2),
        ("a: !!timestamp x\n", "YAML 格式错误：以 ! 开头的值要加引号", 1),
        ("a: [!!bool x]\n", "YAML 格式错误：以 ! 开头的值要加引号", 1),
        ("a: !!float x\nb: &c 1\n", "YAML 格式错误：不能使用锚点", 2),
        ("a: !!set {x}\nb: !!int x\n", "YAML 格式错误：以 ! 开头的值要加引号", 0),
    ],
)
def test_yaml_errors_keep_their_chinese_message_and_line(text, message, line):
    record, errors = parse_record(Interaction, text, "records/x.yaml")
    assert record is None and len(errors) == 1
    assert message in errors[0].message and errors[0].source.line == line


def _armored(ident, plaintext: bytes) -> bytes:
    return vault.encrypt(plaintext, [ident.to_public()])


def test_openssl_path_reads_pyrage_and_age_cli_files_alike(tmp_path):
    ident = x25519.Identity.generate()
    keys = age_x25519.keys_for([ident])
    plain = "客户: 张伟\n".encode() * 500  # several armor lines
    assert age_x25519.decrypt(_armored(ident, plain), keys) == plain
    binary = pyrage.encrypt(plain, [ident.to_public()])
    assert age_x25519.decrypt(binary, keys) == plain
    age = require_tool("age")
    theirs = subprocess.run(
        [age, "-a", "-r", str(ident.to_public())], input=plain, capture_output=True, check=True
    ).stdout
    assert age_x25519.decrypt(theirs, keys) == plain


def test_openssl_path_refuses_damage_and_reads_every_size(tmp_path):
    ident = x25519.Identity.generate()
    keys = age_x25519.keys_for([ident])
    data = _armored(ident, b"x: 1\n")
    with pytest.raises(age_x25519.AgeError) as e:
        age_x25519.decrypt(data, age_x25519.keys_for([x25519.Identity.generate()]))
    assert e.value.kind == "no match"
    big = _armored(ident, b"x" * (70 * 1024))  # two payload chunks
    assert age_x25519.decrypt(big, keys) == vault.decrypt(big, [ident]) == b"x" * (70 * 1024)
    for i in range(40, len(data) - 40, 7):  # every damaged copy is refused, never misread
        damaged = data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]
        with pytest.raises(age_x25519.AgeError):
            age_x25519.decrypt(damaged, keys)
    with pytest.raises(ValueError, match="损坏或被截断"):
        vault.decrypt(data[:-60] + data[-40:], [ident])
    empty = b"-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"
    with pytest.raises(ValueError, match="损坏或被截断"):
        vault.decrypt(empty, [ident])
    assert age_x25519.decrypt(_armored(ident, b""), keys) == b""


def test_records_encrypted_to_an_ssh_key_still_open():
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    data = vault.encrypt(b"x: 1\n", [ssh.Recipient.from_str(public.decode())])
    assert vault.decrypt(data, [ssh.Identity.from_buffer(private)]) == b"x: 1\n"


def test_loading_in_worker_processes_gives_the_same_firm_and_errors(firm, monkeypatch, capsys):
    victim = min(firm.root.glob("records/clients/*/interactions/*.yaml.age"))
    victim.write_bytes(victim.read_bytes()[:-50])
    serial, serial_errors = load_firm(firm.root, firm.vault(), today())
    monkeypatch.setattr(records, "PARALLEL_FROM", 1)
    monkeypatch.setattr(records, "CHUNK", 7)
    parallel, parallel_errors = load_firm(firm.root, firm.vault(), today())
    assert parallel_errors == serial_errors and len(serial_errors) == 1
    assert parallel.clients.keys() == serial.clients.keys()
    for cid, cf in serial.clients.items():
        other = parallel.clients[cid]
        assert other.client == cf.client and other.policies == cf.policies
        assert [i.path for i in other.interactions] == [i.path for i in cf.interactions]
        assert other.client.client_id == cid
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and victim.relative_to(firm.root).as_posix() in err and "截断" in err


@pytest.mark.parametrize(
    "stray, message",
    [
        ("notes.txt", "不该有这个文件"),
        ("policies/sub/x.yaml.age", "不该有这个文件"),
        ("policies/x.yaml", "明文"),
        ("scans/x.yaml", "明文"),
    ],
)
def test_stray_files_in_a_client_folder_are_reported(firm, capsys, stray, message):
    folder = min(firm.root.glob("records/clients/*/client.yaml.age")).parent
    (folder / stray).parent.mkdir(parents=True, exist_ok=True)
    (folder / stray).write_text("x: 1\n")
    (folder / "policies" / ".gitkeep").touch()
    code, _, err = run_cli(capsys, "check")
    rel = (folder / stray).relative_to(firm.root).as_posix()
    assert code == 1 and f"{rel}: " in err and message in err
    assert err.count("records/clients/") == 1


def test_loading_falls_back_to_one_process_where_none_can_start(firm, monkeypatch, capsys):
    def no_processes(*args, **kwargs):
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(records, "PARALLEL_FROM", 1)
    monkeypatch.setattr(records, "ProcessPoolExecutor", no_processes)
    code, out, _ = run_cli(capsys, "check")
    assert code == 0 and "检查通过" in out
