"""The git merge driver for encrypted records (``merge=baodan`` in .gitattributes).

git runs ``baodan merge-driver %O %A %B %P`` for a record both sides changed, in a merge, a
rebase, a cherry-pick or a pull. Base, ours and theirs are decrypted in memory with every
record key the member ever held (a merge across a key rotation reads both sides), merged by
field (core.yamlmerge), and the result is encrypted again and left in %A. A conflict never
becomes ciphertext with markers: the file stays a valid encrypted record, "ours" plus a
conflict note inside the encryption, and the driver exits non-zero so git marks it.

Which key the result is encrypted to: the key both sides share; when only one side changed
the key since the base (it rotated the record key, removing a member), that side's key,
since the merged key files will be that side's; otherwise the key "ours" is encrypted to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ruamel.yaml.scalarstring import LiteralScalarString

from baodan.core import yamlio
from baodan.core.errors import BaodanError
from baodan.core.files import write_atomic
from baodan.core.parse import parse_record
from baodan.core.rules import Rules
from baodan.core.yamlmerge import MISSING, WHOLE_RECORD, Conflict, add_note, merge
from baodan.models.context import firm_context
from baodan.models.listkeys import list_keys
from baodan.store import gitrepo
from baodan.store.keyhistory import keyring
from baodan.store.vault import decrypt, encrypt
from baodan.store.workspace import Workspace, model_for

# Where git keeps the commit being merged in, picked or replayed: no branch may name it.
PSEUDO_HEADS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REBASE_HEAD", "REVERT_HEAD")


@dataclass
class Side:
    """One version of the record: its text and the record key that opened it, or why not."""

    exists: bool
    text: str | None = None
    key: object = None
    problem: str = ""


@dataclass
class MergeOutcome:
    rel: str
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what to tell the person, in Chinese

    @property
    def clean(self) -> bool:
        return not self.conflicts


class _Keys:
    """The record keys to try: the current ones first, the whole history only when needed."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.keys = list(ws.vault.identities)
        self.history_read = False

    def open(self, data: bytes) -> Side:
        if not data.strip():  # git passes an empty base when both sides added the file
            return Side(False)
        side = self._try(data)
        if side is None and not self.history_read:
            self._read_history()
            side = self._try(data)
        if side is None:
            try:
                decrypt(data, self.keys)
            except ValueError as e:
                return Side(True, problem=str(e))
        return side or Side(True, problem="无法解密")

    def _try(self, data: bytes) -> Side | None:
        for key in self.keys:
            try:
                plain = decrypt(data, [key])
            except ValueError:
                continue
            try:
                return Side(True, plain.decode("utf-8"), key)
            except UnicodeDecodeError:
                return Side(True, key=key, problem="解密后不是 UTF-8 文字")
        return None

    def _read_history(self) -> None:
        self.history_read = True
        heads = tuple(h for h in PSEUDO_HEADS if _exists(self.ws.root, h))
        with gitrepo.Blobs(self.ws.root) as blobs:
            known = {_public(k) for k in self.keys}
            for key in keyring(self.ws, blobs, heads):
                if _public(key) not in known:
                    self.keys.append(key)
                    known.add(_public(key))


def _exists(root: Path, rev: str) -> bool:
    return bool(gitrepo.git(root, "rev-parse", "--verify", "--quiet", rev, check=False).strip())


def _public(key) -> str:
    return str(key.to_public())


def merge_files(base: Path, ours: Path, theirs: Path, name: str, today: date) -> MergeOutcome:
    """Merge the three versions git gives (validated as of ``today``); the result is written
    to ``ours``."""
    target = Path.cwd() / name  # git runs drivers at the top of the work tree
    ws = Workspace.open(target.parent, None)
    ws.refuse_unless_allowed()  # the merged record is encrypted here, not through ws.write
    rel = target.resolve().relative_to(ws.root).as_posix()
    keys = _Keys(ws)
    b, o, t = (keys.open(p.read_bytes()) for p in (base, ours, theirs))
    outcome = MergeOutcome(rel)
    if o.text is None:  # nothing to merge into: leave the file as it is, marked conflicted
        outcome.conflicts.append(Conflict(WHOLE_RECORD, problem=f"当前版本{o.problem}"))
        outcome.notes.append(
            f"{rel}：当前版本无法解密（{o.problem}），没有合并；请找能解密它的同事处理"
        )
        return outcome
    text = _merged_text(rel, b, o, t, outcome, firm_context(today, Rules(ws.root)))
    key = _result_key(b, o, t)
    if text != o.text or _public(key) != _public(o.key):
        write_atomic(ours, encrypt(text.encode("utf-8"), [key.to_public()]))
    return outcome


def _merged_text(rel: str, b: Side, o: Side, t: Side, outcome: MergeOutcome, context: dict) -> str:
    if t.text is None:
        outcome.conflicts.append(
            Conflict(WHOLE_RECORD, problem=f"合并进来的版本{t.problem}，无法读取，没有合并")
        )
        outcome.notes.append(
            f"{rel}：合并进来的版本无法解密（{t.problem}）。它可能加密给了你没有的新密钥"
            "（例如你已被移出成员）；请把它交给能解密的同事合并"
        )
        return _with_note(o.text, outcome.conflicts)
    if b.exists and b.text is None:
        outcome.notes.append(f"{rel}：共同的旧版本无法解密（{b.problem}），按两边都新增处理")
    if t.text in (o.text, b.text):
        return o.text
    if o.text == b.text:
        return t.text
    model = model_for(rel)
    try:
        ours_data, theirs_data = yamlio.load_roundtrip(o.text), yamlio.load_roundtrip(t.text)
        base_data = yamlio.load_roundtrip(b.text) if b.text is not None else MISSING
    except Exception:  # a side that is not YAML: nothing to merge by field
        return _whole_record(rel, o, LiteralScalarString(t.text), outcome, "有一边不是有效的 YAML")
    if base_data is MISSING:
        return _whole_record(rel, o, theirs_data, outcome, "两边都新建了这个文件，内容不同")
    merged, conflicts = merge(base_data, ours_data, theirs_data, list_keys(model))
    if conflicts:
        outcome.conflicts += conflicts
        add_note(merged, conflicts)
        fields = "、".join(c.field for c in conflicts)
        outcome.notes.append(
            f"{rel}：{len(conflicts)} 处两边改得不一样（{fields}）。文件仍是加密记录，"
            f"暂用当前版本的取值，双方的取值记在记录里；运行 baodan edit {rel} 选定取值"
        )
        return yamlio.dump_roundtrip(merged, like=o.text)
    text = yamlio.dump_roundtrip(merged, like=o.text)
    return _checked(rel, model, text, o.text, outcome, context)


def _checked(rel: str, model, text: str, ours: str, outcome: MergeOutcome, context: dict) -> str:
    """Both sides' changes together can break a rule neither broke (beneficiaries' shares no
    longer adding up to 100%): such a merge is a conflict for a person to settle."""
    _, errors = parse_record(model, text, rel, context)
    _, before = parse_record(model, ours, rel, context)
    new = [e for e in errors if (e.field, e.message) not in {(x.field, x.message) for x in before}]
    if not new:
        return text
    outcome.conflicts += [
        Conflict(e.field or WHOLE_RECORD, problem=f"合并后{e.message}") for e in new
    ]
    outcome.notes.append(
        f"{rel}：两边的改动各自没问题，合在一起不通过检查（"
        + "；".join(f"{e.field} {e.message}" for e in new)
        + f"）。运行 baodan edit {rel} 改好"
    )
    return _with_note(text, outcome.conflicts)


def _whole_record(rel: str, o: Side, theirs, outcome: MergeOutcome, why: str) -> str:
    """Ours stays the file; theirs, whole, goes into the note."""
    outcome.conflicts.append(Conflict(WHOLE_RECORD, theirs=theirs, problem=why))
    outcome.notes.append(
        f"{rel}：{why}。保留了当前版本，合并进来的版本整份记在记录里；运行 baodan edit {rel}"
        " 对照处理（若是两份不同的记录，请另建一份录入对方的内容）"
    )
    return _with_note(o.text, outcome.conflicts)


def _with_note(text: str, conflicts: list[Conflict]) -> str:
    try:
        data = yamlio.load_roundtrip(text)
    except Exception:
        data = None
    if not hasattr(data, "insert"):
        raise BaodanError("当前版本不是一组 字段: 值，无法写入冲突说明", "请用 baodan edit 修复它")
    add_note(data, conflicts)
    return yamlio.dump_roundtrip(data, like=text)


def _result_key(b: Side, o: Side, t: Side):
    """The key the merged record is encrypted to (see the module's docstring)."""
    if t.key is not None and b.key is not None and _public(o.key) == _public(b.key):
        return t.key  # only theirs changed the key (or neither did)
    return o.key
