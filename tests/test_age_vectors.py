"""The C2SP CCTV age test vectors (tests/vectors/age), through every way baodan decrypts.

Run as the vectors' README describes: a file decrypts to the payload whose SHA-256 the
vector names, or it is refused; no vector that expects a failure yields plaintext. baodan
has no passphrases and no post-quantum keys: those vectors must be refused, not crash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from pathlib import Path

import pyrage
import pytest
from baodan.core.errors import BaodanError, Problem
from baodan.core.layout import KEYS_DIR
from baodan.store import age_x25519, members, vault
from baodan.store.identity import IdentitySource
from pyrage import x25519

VECTORS = Path(__file__).parent / "vectors" / "age"
KINDS = {
    "armor failure": "armor",
    "header failure": "header",
    "HMAC failure": "hmac",
    "payload failure": "payload",
    "no match": "no match",
}


class Vector:
    def __init__(self, path: Path):
        head, _, body = path.read_bytes().partition(b"\n\n")
        self.name = path.name
        self.meta: dict[str, list[str]] = {}
        for line in head.decode().splitlines():
            key, _, value = line.partition(": ")
            self.meta.setdefault(key, []).append(value)
        self.data = zlib.decompress(body) if self.meta.get("compressed") == ["zlib"] else body
        self.expect = self.meta["expect"][0]
        self.payload = self.meta.get("payload", [""])[0]
        ours = [i for i in self.meta.get("identity", []) if i.startswith("AGE-SECRET-KEY-1")]
        # Passphrase and post-quantum vectors get an unrelated key: they must be refused.
        self.identities = [x25519.Identity.from_str(i) for i in ours] or [
            x25519.Identity.generate()
        ]
        self.supported = bool(ours) and "passphrase" not in self.meta

    @property
    def opens(self) -> bool:
        return self.expect == "success" and self.supported

    def check(self, plaintext: bytes) -> None:
        assert self.opens, f"{self.name} expects {self.expect} but decrypted"
        assert hashlib.sha256(plaintext).hexdigest() == self.payload


ALL = sorted((Vector(p) for p in VECTORS.iterdir() if p.name != "LICENSE"), key=lambda v: v.name)


def test_the_vectors_are_all_here():
    assert len(ALL) == 143 and sum(v.opens for v in ALL) == 19
    assert "0BSD" in (VECTORS / "LICENSE").read_text()


@pytest.mark.parametrize("v", ALL, ids=lambda v: v.name)
def test_openssl_path(v):
    """age_x25519, which decrypts every record: the payload, or the failure the vector names."""
    try:
        plaintext = age_x25519.decrypt(v.data, age_x25519.keys_for(v.identities))
    except age_x25519.AgeError as e:
        assert not v.opens, f"{v.name}: {e}"
        if v.supported and v.expect in KINDS:
            # The age command reads a file as armored only if it starts with the armor line.
            armored = v.data.lstrip().startswith(age_x25519.ARMOR_BEGIN)
            allowed = {KINDS[v.expect]} | ({"header"} if not armored else set())
            assert e.kind in allowed, f"{v.name}: {e.kind} ({e})"
        return
    v.check(plaintext)


@pytest.mark.parametrize("v", ALL, ids=lambda v: v.name)
def test_pyrage_path(v):
    """What an SSH identity (a member's key file) goes through: the header checked, then pyrage."""
    try:
        plaintext = vault.decrypt_with_pyrage(v.data, v.identities)
    except age_x25519.AgeError:
        assert not v.opens
        return
    v.check(plaintext)


@pytest.mark.parametrize("v", ALL, ids=lambda v: v.name)
def test_vault_decrypt(v):
    """What records and key files go through: plaintext, or a Chinese reason."""
    try:
        plaintext = vault.decrypt(v.data, v.identities)
    except Problem as e:
        message, hint = e.message, e.hint
        assert message and hint and not message.isascii()
        if v.opens:  # only the multi-megabyte vectors, which no record may be
            assert len(v.data) > vault.MAX_CIPHERTEXT and "太大" in message
        return
    v.check(plaintext)


@pytest.mark.parametrize(
    "name", ["scrypt", "armor_scrypt", "scrypt_and_x25519", "scrypt_work_factor_23"]
)
def test_passphrase_files_are_refused_with_a_reason(name):
    v = Vector(VECTORS / name)
    with pytest.raises(ValueError, match="口令|损坏"):
        vault.decrypt(v.data, v.identities)


def _rewrap(data: bytes, identity, extra_stanza: bytes) -> bytes:
    """``data`` with one more stanza in its header and a header MAC that matches again: a
    file only someone holding the file key could make, that age refuses and pyrage opens."""
    keys = age_x25519.keys_for([identity])
    header = age_x25519.parse(data)
    file_key = age_x25519._file_key(header.stanzas, keys)
    signed = header.signed.replace(b"\n---", b"\n" + extra_stanza + b"---")
    mac = hmac.digest(age_x25519._hkdf(file_key, b"", b"header"), signed, hashlib.sha256)
    return signed + b" " + base64.b64encode(mac).rstrip(b"=") + b"\n" + header.payload


def test_a_key_file_age_refuses_does_not_open_the_firm(tmp_path):
    """A stanza without its body line: pyrage (rage 0.11) reads past it, age refuses the file.
    Key files are read through the same checked path as records."""
    me = x25519.Identity.generate()
    members.init_keys(tmp_path, "me", str(me.to_public()))
    key_file = tmp_path / KEYS_DIR / "me.age"
    crafted = _rewrap(age_x25519.binary(key_file.read_bytes()), me, b"-> empty\n")
    assert pyrage.decrypt(crafted, [me])  # the attack works on pyrage alone
    key_file.write_bytes(crafted)
    with pytest.raises(BaodanError, match="records/.keys/me.age。你的那一份可能就在其中"):
        vault.open_vault(tmp_path, IdentitySource([me], "test"))
    assert vault.record_keys_in([crafted], [me]) == []


def test_a_record_age_refuses_is_not_read():
    ident = x25519.Identity.generate()
    data = age_x25519.binary(vault.encrypt(b"id: c-00000001\n", [ident.to_public()]))
    for stanza in (b"-> empty\n", b"-> stanza\n" + b"A" * 64 + b"\n", b"-> stanza\nQUF\n"):
        crafted = _rewrap(data, ident, stanza)
        with pytest.raises(ValueError, match="损坏"):
            vault.decrypt(crafted, [ident])
