"""Test helpers: run the CLI in-process, read and write encrypted records, snapshot a tree,
serve a built site, check that a page's tables fit it."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from baodan.store import identity as who
from baodan.store import vault
from pyrage import x25519


def require_tool(name: str) -> str:
    """A system tool the test needs. Missing: skip locally, fail where BAODAN_REQUIRE_TOOLS=1
    (set by .ci/run), so CI never passes by skipping."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path:
        return path
    message = f"{name} is not installed (Debian: apt-get install {name})"
    if os.environ.get("BAODAN_REQUIRE_TOOLS") == "1":
        pytest.fail(message + "; BAODAN_REQUIRE_TOOLS=1 makes this a failure")
    pytest.skip(message + "; set BAODAN_REQUIRE_TOOLS=1 to make this a failure")


def new_identity_file(folder: Path, name: str = "me") -> tuple[Path, x25519.Identity]:
    ident = x25519.Identity.generate()
    path = folder / f"{name}.key"
    path.write_text(f"# test identity\n{ident}\n")
    path.chmod(0o600)
    return path, ident


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with its content hash: 'nothing changed' is equality of this."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run `baodan ARGS` in this process; returns (exit code, stdout, stderr)."""
    from baodan.cli import app as cli

    old = sys.argv
    sys.argv = ["baodan", *args]
    code = 0
    try:
        cli.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_record(root: Path, rel: str, identities: list) -> str:
    v = vault.open_vault(root, who.IdentitySource(identities, "test"))
    return v.decrypt((root / rel).read_bytes()).decode()


def write_record(root: Path, rel: str, text: str, identities: list) -> None:
    v = vault.open_vault(root, who.IdentitySource(identities, "test"))
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(v.encrypt(text.encode()))


def change_record(root: Path, rel: str, identities: list, change) -> None:
    """Edit an encrypted record as a person would: ``change`` edits the round-trip data."""
    from baodan.core import yamlio

    data = yamlio.load_roundtrip(read_record(root, rel, identities))
    change(data)
    write_record(root, rel, yamlio.dump_roundtrip(data), identities)


def ssh_key_pair(key) -> tuple[str, str]:
    """(OpenSSH private key text, public key line) of a `cryptography` private key."""
    from cryptography.hazmat.primitives import serialization

    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return private, public


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A built site on a local port, as a static host serves it: yields its base address.
    (Material's search fetches its index, which a file:// page cannot.)"""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()


# Run in a browser page: the first row of every table wider than the box around it, and every
# command in a table that does not show in full.
# Words a table cell breaks across lines: a number, code or command (Latin letters and digits,
# with - . : / · inside) split anywhere, or a short cell (a status, a name, a date: up to 8
# characters without a space) on two lines. Each as "text of the cell: the word".
BROKEN_WORDS = r"""() => {
  // Lines a piece of text takes: fragments whose tops differ by more than half a line.
  const lines = rects => rects.filter(r => r.width > 0).sort((a, b) => a.top - b.top)
    .reduce((n, r, i, all) => n + (i && r.top - all[i - 1].top > r.height / 2 ? 1 : 0), 1);
  const textRects = cell => {
    const range = document.createRange();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const rects = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.nodeValue.trim()) continue;
      range.selectNodeContents(node);
      rects.push(...range.getClientRects());
    }
    return rects;
  };
  const found = [];
  for (const cell of document.querySelectorAll("article table td, article table th")) {
    const text = cell.innerText.trim();
    if (!text || cell.offsetParent === null) continue;
    if (text.length <= 8 && !/\s/.test(text)) {
      if (lines(textRects(cell)) > 1) found.push(text);
      continue;
    }
    const range = document.createRange();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.nodeValue.matchAll(/[A-Za-z0-9][A-Za-z0-9_.:\/·-]*[A-Za-z0-9]/g)) {
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (lines([...range.getClientRects()]) > 1) found.push(text.slice(0, 30) + ": " + m[0]);
      }
    }
  }
  return found;
}"""
TOO_WIDE = """() => [...document.querySelectorAll("article table")].flatMap(table => {
  const box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
  const right = box.getBoundingClientRect().right;
  const wide = table.scrollWidth > box.clientWidth + 1 ? [table.rows[0].innerText] : [];
  const cut = [...table.querySelectorAll("td code")]
    .filter(code => code.getBoundingClientRect().right > right + 1)
    .map(code => code.textContent);
  return wide.concat(cut);
})"""
