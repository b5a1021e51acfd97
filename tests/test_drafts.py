"""Nothing typed is lost (issue 19): a new record closed in the editor with problems left is
kept as an encrypted draft beside nothing but ciphertext, and the next `baodan new` offers it
(same file, same id) instead of a blank template with a new id."""

from __future__ import annotations

import io
import re
import subprocess
import sys

from baodan.core.files import is_age

from . import factories as c
from .helpers import run_cli, tree_digest

TYPED = "张三丰的新客户资料"


def _editor(monkeypatch, tmp_path, script: str) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import re, sys\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n"
        "if text.startswith('# baodan:'):\n    sys.exit()\n"  # problems shown: close, give up
        + script
        + "open(p, 'w', encoding='utf-8').write(text)\n",
        "utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")


def _answer(monkeypatch, answer: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer + "\n"))


def test_a_new_record_closed_with_problems_is_kept_and_offered_next_time(
    firm, capsys, monkeypatch, tmp_path
):
    records = tree_digest(firm.root / "records")
    # Typed a name, but a mobile number too short: closed the editor on the problem.
    _editor(
        monkeypatch,
        tmp_path,
        f"text = re.sub(r'(?m)^name: *$', 'name: {TYPED}', text)\n"
        f"text = re.sub(r'(?m)^id_number: *$', \"id_number: '{c.ME}'\", text)\n"
        "text = re.sub(r'(?m)^sex: *$', 'sex: 男', text)\n"
        "text = re.sub(r'(?m)^mobile: *$', \"mobile: '139'\", text)\n",
    )
    code, out, err = run_cli(capsys, "new", "client", "--staff", "wang-fang")
    assert code == 1 and "刚才写的内容没有丢" in err and "mobile" in err, err
    first = re.search(r"records/clients/(c-[0-9a-f]{8})/client\.yaml\.age", err).group(1)
    assert tree_digest(firm.root / "records") == records  # no record written
    # The draft: encrypted, outside records/, ignored by git; no plaintext anywhere in the firm.
    drafts = list((firm.root / ".baodan/drafts").iterdir())
    assert len(drafts) == 1 and is_age(drafts[0].read_bytes())
    for path in firm.root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert TYPED.encode() not in path.read_bytes(), path
    subprocess.run(["git", "init", "-q", str(firm.root)], check=True)
    listed = subprocess.run(
        ["git", "-C", str(firm.root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".baodan" not in listed and "records/firm.yaml" in listed
    # Next time: offered, same id, with what was typed; fixing the number saves it.
    _editor(
        monkeypatch, tmp_path, "text = text.replace(\"mobile: '139'\", \"mobile: '13912345678'\")\n"
    )
    _answer(monkeypatch, "y")
    code, out, err = run_cli(capsys, "new", "client", "--staff", "wang-fang")
    assert code == 0, err
    assert f"草稿还在（records/clients/{first}/client.yaml.age）" in out
    assert f"已新建 records/clients/{first}/client.yaml.age" in out
    assert list((firm.root / ".baodan/drafts").iterdir()) == []  # saved: the draft is gone
    code, out, err = run_cli(capsys, "show", first)
    assert TYPED in out


def test_a_draft_declined_is_dropped_and_a_blank_template_given(
    firm, capsys, monkeypatch, tmp_path
):
    _editor(monkeypatch, tmp_path, "text = re.sub(r'(?m)^name: *$', 'name: 草稿', text)\n")
    code, _, err = run_cli(capsys, "new", "client")  # no manager given: a problem
    assert code == 1 and "刚才写的内容没有丢" in err
    first = re.search(r"records/clients/(c-[0-9a-f]{8})/", err).group(1)
    _editor(monkeypatch, tmp_path, "")  # closes the template unchanged
    _answer(monkeypatch, "n")
    code, out, err = run_cli(capsys, "new", "client")
    assert code == 0 and "草稿还在" in out and "没有保存（模板未修改）" in out, err
    assert list((firm.root / ".baodan/drafts").iterdir()) == []
    assert not (firm.root / f"records/clients/{first}").exists()
