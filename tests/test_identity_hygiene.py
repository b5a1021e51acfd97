"""The user's key: a key file others can read is warned about, a key handed over in
$BAODAN_IDENTITY_KEY reaches nothing baodan starts (git, its hooks, MkDocs hooks, the
editor), and a passphrase-locked SSH key is explained in plain words."""

from __future__ import annotations

import ast
import base64
import os
import sys
from pathlib import Path

import pytest
from baodan.core.errors import BaodanError
from baodan.store import gitrepo, identity

from .helpers import run_cli

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "baodan"


def test_a_key_file_others_can_read_is_warned_about(firm, capsys):
    firm.identity_file.chmod(0o644)
    code, _, err = run_cli(capsys, "check")
    assert code == 0, err
    assert f"你的私钥文件 {firm.identity_file} 本机其他用户也能读取（权限 644）" in err
    assert f"chmod 600 {firm.identity_file}" in err
    firm.identity_file.chmod(0o600)
    _, _, err = run_cli(capsys, "check")
    assert "私钥文件" not in err


def test_no_file_mode_warning_on_windows(firm, monkeypatch):
    """File modes mean nothing there (the profile folder's access rules decide)."""
    firm.identity_file.chmod(0o644)
    source = identity.IdentitySource(firm.identities, str(firm.identity_file))
    assert identity.identity_file_warning(source)
    monkeypatch.setattr(os, "name", "nt")
    assert identity.identity_file_warning(source) is None


def test_a_key_from_the_environment_is_no_file_to_warn_about(firm):
    source = identity.IdentitySource(firm.identities, "$BAODAN_IDENTITY_KEY")
    assert identity.identity_file_warning(source) is None


def test_every_program_baodan_starts_gets_the_environment_without_secrets():
    """Each subprocess call in the package passes env= (core.childenv.child_env)."""
    missing = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "subprocess"
                and node.func.attr in {"run", "Popen", "call", "check_call", "check_output"}
                and not any(k.arg == "env" for k in node.keywords)
            ):
                missing.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert missing == []


def test_git_and_its_hooks_never_see_the_identity_key(firm, monkeypatch, tmp_path):
    """git (and so every hook and filter it runs) is started without the key."""
    monkeypatch.setenv("BAODAN_IDENTITY_KEY", str(firm.identity))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(
        f"#!{sys.executable}\nimport os, sys\nsys.stdout.write(repr(sorted(os.environ)))\n"
    )
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    seen = gitrepo.git(firm.root, "status")
    assert "PATH" in seen and "BAODAN_IDENTITY_KEY" not in seen


@pytest.mark.slow
def test_site_templates_never_see_the_identity_key(firm, capsys, monkeypatch):
    """Templates in the firm's theme folder (overrides/, the one place mkdocs.yml may name
    for them) run inside baodan's build with Python in reach: the key is out of the
    environment by then (read already). Hooks, the other way in, are refused outright
    (tests/test_site_config.py)."""
    monkeypatch.delenv("BAODAN_IDENTITY")
    monkeypatch.setenv("BAODAN_IDENTITY_KEY", str(firm.identity))
    (firm.root / "overrides/partials").mkdir(parents=True)
    (firm.root / "overrides/partials/copyright.html").write_text(
        '<div class="spy">{{ lipsum.__globals__.os.environ.get("BAODAN_IDENTITY_KEY", "no key") }}|'
        '{{ lipsum.__globals__.os.environ.get("PATH", "")[:1] }}</div>',
        "utf-8",
    )
    config = firm.root / "mkdocs.yml"
    text = config.read_text("utf-8")
    config.write_text(
        text.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    )
    code, _, err = run_cli(capsys, "build")
    assert code == 0, err
    page = (firm.root / "site/index.html").read_text("utf-8")
    assert '<div class="spy">no key|/</div>' in page
    assert os.environ["BAODAN_IDENTITY_KEY"] == str(firm.identity)  # back for the next command


def _openssh_key(cipher: bytes, kdf: bytes) -> str:
    """The opening of an OpenSSH private key file: magic, cipher and KDF names (the rest of
    a real key does not matter to the check)."""

    def string(value: bytes) -> bytes:
        return len(value).to_bytes(4, "big") + value

    body = base64.b64encode(b"openssh-key-v1\0" + string(cipher) + string(kdf) + b"\0" * 40)
    lines = [body[i : i + 70].decode() for i in range(0, len(body), 70)]
    return "\n".join(
        ["-----BEGIN OPENSSH PRIVATE KEY-----", *lines, "-----END OPENSSH PRIVATE KEY-----"]
    )


PEM = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"


@pytest.mark.parametrize(
    "text", [_openssh_key(b"aes256-ctr", b"bcrypt"), PEM], ids=["openssh", "pem"]
)
def test_a_passphrase_protected_ssh_key_is_explained(text, tmp_path, capsys, firm):
    key = tmp_path / "id_ed25519"
    key.write_text(text)
    with pytest.raises(BaodanError) as e:
        identity.parse_identities(text, str(key))
    (problem,) = e.value.errors
    assert problem.source.file == str(key) and "设了密码" in problem.message
    assert "ssh-keygen -p -f" in problem.hint and "原私钥和它的密码不变" in problem.hint
    assert "age-keygen -o" in problem.hint and "baodan member add" in problem.hint
    code, _, err = run_cli(capsys, "check", "--identity", str(key))
    assert code == 1 and "设了密码（口令）的 SSH 私钥" in err and "Traceback" not in err


def test_an_openssh_key_without_a_passphrase_is_not_taken_for_a_locked_one():
    assert not identity.ssh_key_has_passphrase(_openssh_key(b"none", b"none"))
    assert identity.ssh_key_has_passphrase(_openssh_key(b"aes256-ctr", b"bcrypt"))
