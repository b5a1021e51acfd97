"""The command line in a Chinese office: questions answered 是/否, choices listed as 只能是：A、B
或 C and typed in everyday words (车险, 国庆), files and keys that cannot be read explained in
Chinese, an unforeseen error without a traceback, `--version`, and the interactive intake that
shows what it will save before saving it."""

from __future__ import annotations

import errno
import io
import os
import sys
import typing

import pytest
from baodan.cli.prompts import yes_no
from baodan.core.choices import code_of, everyday_words, listing
from baodan.core.errors import BaodanError
from baodan.core.rules import Rules
from baodan.domain.labels import Names
from baodan.models.kinds import KINDS
from rich.console import Console

from . import factories as c
from .codewords import _walk
from .helpers import read_record, run_cli, tree_digest
from .test_intake import GOOD, INTERVIEW, _setup


def _console() -> tuple[Console, io.StringIO]:
    shown = io.StringIO()
    return Console(file=shown, force_terminal=False, width=100), shown


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("是", True), ("否", False), ("y", True), ("N", False), ("", True), ("不", False)],
)
def test_a_yes_no_question_takes_是_否_y_and_n(monkeypatch, typed, answer):
    console, shown = _console()
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed + "\n"))
    assert yes_no("登记？", console, default=True) is answer
    assert "登记？ [是/否] （直接回车为“是”）" in shown.getvalue()


def test_a_yes_no_question_asks_again_in_chinese(monkeypatch):
    console, shown = _console()
    monkeypatch.setattr(sys, "stdin", io.StringIO("ok\n是\n"))
    assert yes_no("删除？", console) is True
    assert "请回答 是 或 否（也可以写 y 或 n）" in shown.getvalue()
    assert "Please" not in shown.getvalue()


def test_choices_are_listed_as_a_chinese_sentence():
    assert listing({"a": "甲"}) == "甲"
    assert listing({"a": "甲", "b": "乙", "c": "丙"}) == "甲、乙 或 丙"
    assert listing({"本人": "", "配偶": ""}) == "本人 或 配偶"


@pytest.mark.parametrize(
    ("word", "code"),
    [("车险", "auto"), ("寿险", "life"), ("健康险", "health"), ("机动车辆保险", "auto")],
)
def test_everyday_words_name_a_category(word, code):
    categories = {"life": "人寿保险", "health": "健康保险", "auto": "机动车辆保险"}
    assert code_of(word, categories, Rules()) == code
    assert code_of("车险", categories, None) is None  # the words come with the firm's rules


def test_every_everyday_word_stands_for_a_name_baodan_knows():
    """A word pointing at a name nobody uses would be accepted nowhere: a typo in the table."""
    names = Names.of(Rules())
    known = {name for values in names.values.values() for name in values.values()}
    known |= {"电子", "纸质"}
    assert {w: n for w, n in everyday_words(Rules()).items() if n not in known} == {}


def test_a_firm_adds_its_own_everyday_words(firm, capsys, tmp_path):
    _setup(firm)
    rules = firm.root / "records/rules/everyday_words.yaml"
    rules.parent.mkdir(parents=True)
    rules.write_text("words:\n  小汽车险: 机动车辆保险\n  商车险: 商业险\n", "utf-8")
    form = tmp_path / "form.yaml"
    form.write_text(
        GOOD.replace("category: auto", "category: 小汽车险").replace(
            "subcategory: commercial", "subcategory: 商车险"
        ),
        "utf-8",
    )
    code, out, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 0, err
    assert run_cli(capsys, "check")[0] == 0


def test_a_form_takes_everyday_words_for_its_choices(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "form.yaml"
    form.write_text(
        GOOD.replace("category: auto", "category: 车险")
        .replace("subcategory: commercial", "subcategory: 商业车险")
        .replace("frequency: annual", "frequency: 年交")
        .replace("medium: electronic", "medium: 电子保单"),
        "utf-8",
    )
    code, out, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 0, err
    (path,) = (firm.root / "records/clients/c-00000001/policies").glob("*.yaml.age")
    text = read_record(firm.root, path.relative_to(firm.root).as_posix(), firm.identities)
    assert "category: auto\nsubcategory: commercial\n" in text
    assert "frequency: annual" in text and "medium: electronic" in text


def test_a_wrong_choice_on_a_form_lists_the_chinese_names(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "form.yaml"
    form.write_text(GOOD.replace("frequency: annual", "frequency: 每周"), "utf-8")
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 1 and "字段 payment.frequency: 不是可选值（现在是“每周”）" in err
    assert "只能是：趸交、年缴、半年缴、季缴 或 月缴" in err and "annual" not in err
    assert tree_digest(firm.root) == before


def test_the_interview_takes_everyday_words(firm, capsys, monkeypatch):
    _setup(firm)
    answers = list(INTERVIEW)
    answers[answers.index("健康保险")] = "健康险"
    answers[answers.index("medical")] = "医疗险"
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    code, out, err = run_cli(capsys, "intake", "--staff", "wang-fang")
    assert code == 0, err + out
    assert "险种大类：健康保险" in out and "险种小类：医疗保险" in out


def test_interactive_intake_saves_nothing_when_the_summary_is_wrong(firm, capsys, monkeypatch):
    _setup(firm)
    before = tree_digest(firm.root)
    answers = [*INTERVIEW[:-1], "否"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    code, out, err = run_cli(capsys, "intake", "--staff", "wang-fang")
    assert code == 0, err
    assert "请核对登记内容" in out and "保险金额：300万元" in out
    assert "以上内容与保单一致，登记？ [是/否]" in out
    assert "没有登记，记录没有改动" in out and "已登记" not in out
    assert tree_digest(firm.root) == before


def test_a_gbk_form_is_told_to_be_saved_as_utf8(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "登记表.yaml"
    form.write_bytes(GOOD.replace("category: auto", "category: 车险").encode("gbk"))
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 1 and f"登记表 {form}：是 GBK（ANSI）编码的，baodan 只读 UTF-8 编码" in err
    assert "用记事本打开" in err and "“编码”选 UTF-8" in err
    assert tree_digest(firm.root) == before


def test_a_form_saved_by_notepad_as_utf8_with_a_byte_order_mark_is_read(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "form.yaml"
    form.write_bytes("\ufeff".encode() + GOOD.encode("utf-8"))
    code, _, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 0, err


@pytest.mark.parametrize(
    ("problem", "says"),
    [
        ("missing", "文件或目录不存在"),
        ("folder", "这是一个文件夹，不是文件"),
        ("denied", "没有权限读写这个文件"),
    ],
)
def test_a_form_that_cannot_be_read_is_explained(
    firm, capsys, tmp_path, monkeypatch, problem, says
):
    form = {"missing": tmp_path / "没有.yaml", "folder": tmp_path, "denied": tmp_path / "f.yaml"}
    if problem == "denied":  # as root the file mode would not stop the test: the OS error itself
        form["denied"].write_text(GOOD, "utf-8")

        def refused(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(type(form["denied"]), "read_bytes", refused)
    code, out, err = run_cli(capsys, "intake", "--from", str(form[problem]))
    assert code == 1 and says in err and "处理办法" in err
    assert "Traceback" not in err and "Error" not in err and "Permission" not in err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xb5\xc4\xd2\xbb\n", "不是密钥文件（里面不是文字）"),
        (b"AGE-SECRET-KEY-1QQQQ\n", "这一行的 age 私钥不完整或抄错了"),
        (b"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n", "这一行是公钥"),
    ],
)
def test_a_key_file_that_is_no_key_is_explained(firm, capsys, tmp_path, content, says):
    key = tmp_path / "key.txt"
    key.write_bytes(content)
    code, _, err = run_cli(capsys, "check", "-i", str(key))
    assert code == 1 and says in err and "处理办法" in err
    assert "Traceback" not in err and "意外问题" not in err


def test_version(capsys):
    from importlib.metadata import version

    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"baodan {version('baodan')}"


def test_an_unforeseen_error_is_said_in_chinese_with_a_details_file(
    firm, capsys, tmp_path, monkeypatch
):
    """No traceback: a Chinese message, and a details file naming where it happened without
    the error's own text (which may quote a record)."""
    from baodan.checks import load_firm  # noqa: F401  (the module `check` imports)

    secret = f"张伟 {c.ME}"

    def broken(*args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr("baodan.checks.load_firm", broken)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("baodan.cli.crash.WINDOWS", False)
    code, out, err = run_cli(capsys, "check")
    assert code == 1 and "baodan 遇到了一个意外问题，命令没有完成" in err
    assert "Traceback" not in err and "RuntimeError" not in err and secret not in err + out
    (details,) = (tmp_path / "state/baodan/logs").glob("error-*.txt")
    assert str(details) in err
    text = details.read_text("utf-8")
    assert "builtins.RuntimeError" in text and "in check" in text and secret not in text


def test_the_details_file_goes_to_localappdata_on_windows(monkeypatch, tmp_path):
    from baodan.cli import crash

    monkeypatch.setattr(crash, "WINDOWS", True)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert crash.log_folder() == tmp_path / "baodan" / "logs"


def test_every_field_and_value_has_a_chinese_name():
    """diff, log and the printable export name fields and values through the labels rule file
    and Names: a field or a code without a Chinese name would be shown as it is spelt."""
    names = Names.of(Rules())
    fields: set[str] = set()
    seen: set = set()
    for kind in KINDS:
        if kind.model is not None:
            _walk(kind.model, fields, set(), seen)
    settings_only = {f for m in seen if m.__module__.endswith(("firm", "insurer", "lecture",
                     "staff", "partner", "training")) for f in m.model_fields}  # fmt: skip
    assert sorted(f for f in fields - settings_only if f not in names.fields) == []
    for model in seen:
        for field, info in model.model_fields.items():
            for t in _literal_values(info.annotation):
                if isinstance(t, str) and t.isascii() and not t.isupper():  # ratings: AAA
                    assert names.show((field,), t) != t, (model.__name__, field, t)
    for code in ("spring_festival", "handoff", "format_complete", "lost_policy", "decline"):
        field = {"spring_festival": "occasion", "handoff": "kind", "format_complete": "item",
                 "lost_policy": "plan", "decline": "intention"}[code]  # fmt: skip
        assert names.show((field,), code) != code


def _literal_values(annotation):
    if typing.get_origin(annotation) is typing.Literal:
        yield from typing.get_args(annotation)
    for arg in typing.get_args(annotation):
        yield from _literal_values(arg)


def test_pick_says_what_it_takes():
    from baodan.core.choices import pick

    with pytest.raises(BaodanError) as caught:
        pick("maybe", {"renew": "愿意续保", "decline": "不再续保"}, "--intention")
    [problem] = caught.value.errors
    assert problem.message == "--intention：没有“maybe”这一项"
    assert problem.hint == "只能是：愿意续保 或 不再续保"


@pytest.mark.parametrize(
    ("number", "says"),
    [
        (errno.EADDRINUSE, "端口已被占用"),
        (errno.ENOSPC, "磁盘已满"),
        (errno.EROFS, "只能读，不能写"),
        (errno.EIO, "系统错误代码"),
    ],
)
def test_an_os_error_anywhere_is_said_in_chinese(firm, capsys, monkeypatch, number, says):
    """The command line's edge turns every OSError a command did not handle into Chinese."""

    def failing(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr("baodan.checks.load_firm", failing)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and says in err and "处理办法" in err
    assert os.strerror(number) not in err and "Traceback" not in err
