"""Ids are ids, never paths: what a command is given (a client, member, claim, lecture or
registry number, a record path) reaches the file system only once it is checked. Each attack
gets a clear Chinese error, and nothing in the firm or beside it is written or deleted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from baodan.core.layout import KEYS_DIR

from . import factories as c
from .helpers import read_record, run_cli, tree_digest
from .test_intake import GOOD

CLIENT = "records/clients/c-00000001/client.yaml.age"
RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


@pytest.fixture
def around(firm, tmp_path):
    """The small firm with one client, a folder beside it that looks like a client's (the
    victim of a path that leaves the firm), and the digest of both."""
    c.reset_clients(firm)
    c.write_client(firm, c.person())
    victim = tmp_path / "victim"
    victim.mkdir()
    shutil.copy(firm.root / CLIENT, victim / "client.yaml.age")
    (victim / "x.age").write_text("not yours\n")
    return firm, tmp_path


def _refused(capsys, parent: Path, *args: str, says: str) -> str:
    before = tree_digest(parent)
    code, out, err = run_cli(capsys, *args)
    assert code != 0 and says in err, (out, err)
    assert "Traceback" not in err
    assert tree_digest(parent) == before  # nothing written, nothing deleted
    return err


@pytest.mark.parametrize(
    "args, says",
    [
        (("forget", "../x", "--yes"), "“../x”不是有效的客户编号"),
        (("forget", "../../../victim", "--yes"), "不是有效的客户编号"),
        (("member", "add", "../../x", "--recipient", RECIPIENT), "“../../x”不是有效的成员编号"),
        (("member", "add", "../../../victim/y", "--recipient", RECIPIENT), "不是有效的成员编号"),
        (("member", "remove", "../../../victim/x"), "不是有效的成员编号"),
        (("show", "../../etc/passwd"), "不在本公司的客户记录目录"),
        (("show", ".."), "不是有效的记录编号"),
        (("edit", "../victim/client.yaml.age"), "不在本公司的客户记录目录"),
        (("edit", "records/.keys/tester.age"), "不在本公司的客户记录目录"),
        (("attend", "../x", "c-00000001"), "“../x”不是有效的讲座文件名"),
        (("attend", "2026-03-21-claims-howto", "../x"), "“../x”不是有效的客户编号"),
        (("export", "../../../victim"), "不是有效的客户编号"),
        (("risk", "../../../victim"), "不在本公司的客户记录目录"),
        (("audit", "../x"), "不在本公司的客户记录目录"),
        (("claim", "materials", "../x"), "“../x”不是有效的理赔编号"),
        (("portal", "link", "../../../victim"), "不在本公司的客户记录目录"),
        (("new", "policy", "../../../victim"), "不在本公司的客户记录目录"),
        (("log", "../../etc/passwd"), "不是有效的记录编号"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_a_path_given_as_an_id_is_refused_and_changes_nothing(around, capsys, args, says):
    firm, parent = around
    _refused(capsys, parent, *args, says=says)


def test_forget_cannot_delete_a_folder_outside_the_client_records(around, capsys):
    """records/.keys with a client.yaml.age in it looks like a client folder to a path."""
    firm, parent = around
    shutil.copy(firm.root / CLIENT, firm.root / KEYS_DIR / "client.yaml.age")
    _refused(capsys, parent, "forget", "../.keys", "--yes", says="不是有效的客户编号")
    assert (firm.root / KEYS_DIR / "tester.age").is_file()


def test_a_file_outside_the_firm_is_neither_shown_nor_encrypted(around, capsys):
    firm, parent = around
    outside = parent / "victim" / "client.yaml.age"
    _refused(capsys, parent, "show", str(outside), says="不在本公司的客户记录目录")
    plain = parent / "victim" / "notes.yaml"
    plain.write_text("id: c-00000009\n")
    _refused(capsys, parent, "encrypt", str(plain), says="不在本公司的客户记录目录")


def test_an_intake_form_cannot_register_into_a_folder_outside_the_firm(around, capsys, tmp_path):
    firm, parent = around
    form = tmp_path / "form.yaml"
    form.write_text(GOOD.replace("client: c-00000001", "client: ../../../victim"), "utf-8")
    err = _refused(capsys, parent, "intake", "--from", str(form), says="不是客户编号")
    assert f"{form}:1:" in err


needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="links")


@needs_links
def test_a_linked_record_is_neither_edited_nor_read(around, capsys, monkeypatch):
    """A link committed into the records leads out of the firm: edit must not write through
    it, and check and build must not read the file it points at."""
    firm, parent = around
    link = firm.root / "records/clients/c-00000001/claims/cl-0000beef.yaml.age"
    link.parent.mkdir()
    link.symlink_to(parent / "victim" / "client.yaml.age")
    monkeypatch.setenv("EDITOR", "sh -c 'echo changed: 1 >> \"$0\"'")
    _refused(capsys, parent, "edit", "cl-0000beef", says="不在本公司的客户记录目录")
    _refused(capsys, parent, "edit", str(link), says="不在本公司的客户记录目录")
    _refused(capsys, parent, "check", says="cl-0000beef.yaml.age: 这是一个链接")


@needs_links
def test_a_linked_client_folder_is_not_read(around, capsys):
    firm, parent = around
    (firm.root / "records/clients/c-00000009").symlink_to(parent / "victim")
    err = _refused(capsys, parent, "check", says="records/clients/c-00000009: 这是一个链接")
    assert read_record(firm.root, CLIENT, firm.identities)  # the firm itself still opens
    assert "c-00000001" not in err


def test_a_members_file_naming_a_path_is_refused(around, capsys):
    firm, parent = around
    members = firm.root / KEYS_DIR / "members.yaml"
    members.write_text(members.read_text() + f"../../../victim/x: {RECIPIENT}\n")
    _refused(capsys, parent, "member", "list", says="“../../../victim/x”不是有效的成员编号")


def test_forget_deletes_no_site_copy_named_by_a_path_in_the_record(around, capsys):
    """forget also removes the client's portal from the built site, a folder named by the
    record's portal id: an id that is a path must not name a folder outside the site."""
    firm, parent = around
    (firm.root / "site/p").mkdir(parents=True)
    client = c.person(portal={"id": "../../../victim", "key": "7K3QX-M2P9D-4HT8W-ZC6NR"})
    c.write_client(firm, client)
    code, _, err = run_cli(capsys, "forget", "c-00000001", "--yes")
    assert code == 0, err
    assert (parent / "victim" / "client.yaml.age").is_file()
    assert not (firm.root / "records/clients/c-00000001").exists()
