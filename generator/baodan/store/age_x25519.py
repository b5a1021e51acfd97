"""Bulk decryption of age files to X25519 identities, with `cryptography` (OpenSSL).

A build decrypts tens of thousands of small records; pyrage takes about 100 µs a file, most of
it its X25519, while OpenSSL's takes 30 µs. This module decrypts the one shape baodan writes,
an age v1 file (armored or binary) with X25519 recipient stanzas and a payload of one chunk,
following the age specification (age-encryption.org/v1): unwrap the file key, verify the
header MAC, decrypt and authenticate the payload. Anything else, and any failure, returns
None, and the caller decrypts with pyrage, which then also words the error.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----\n"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
INTRO = b"age-encryption.org/v1\n"
STANZA = b"-> "
MAC_LINE = b"\n--- "
CHUNK = 64 * 1024
X25519_INFO = b"age-encryption.org/v1/X25519"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_bytes(text: str) -> bytes:
    """The payload of a bech32 string (checksum not verified: callers compare keys)."""
    data = text.lower().rpartition("1")[2][:-6]
    bits = acc = 0
    out = bytearray()
    for char in data:
        acc = (acc << 5) | BECH32.index(char)
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


class X25519Key:
    """One X25519 identity, as OpenSSL needs it."""

    def __init__(self, identity):
        secret = _bech32_bytes(str(identity))
        self.private = X25519PrivateKey.from_private_bytes(secret)
        self.public = self.private.public_key().public_bytes_raw()
        if self.public != _bech32_bytes(str(identity.to_public())):
            raise ValueError("identity did not decode")


def keys_for(identities: list) -> list[X25519Key]:
    """The X25519 identities among ``identities``, ready for ``decrypt``."""
    from pyrage import x25519

    return [X25519Key(i) for i in identities if isinstance(i, x25519.Identity)]


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) for one 32-byte block: extract, then expand's first block. Two
    HMAC calls; cryptography's HKDF object costs more to set up than this does to run."""
    prk = hmac.digest(salt, ikm, sha256)  # an empty salt is HashLen zeros: the same HMAC key
    return hmac.digest(prk, info + b"\x01", sha256)


def _b64(text: bytes) -> bytes:
    """age's base64: standard alphabet, no padding, canonical."""
    raw = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    if base64.b64encode(raw).rstrip(b"=") != text:
        raise ValueError("not canonical base64")
    return raw


def _dearmor(data: bytes) -> bytes:
    """Strict PEM-style armor: full lines of 64 base64 characters, then a shorter one."""
    body = data.strip()
    if not body.startswith(ARMOR_BEGIN) or not body.endswith(ARMOR_END):
        raise ValueError("not armored")
    lines = body[len(ARMOR_BEGIN) : -len(ARMOR_END)].split(b"\n")
    if lines.pop() != b"" or any(len(line) != 64 for line in lines[:-1]):
        raise ValueError("bad armor lines")
    if not lines or not 0 < len(lines[-1]) <= 64:
        raise ValueError("bad armor lines")
    return base64.b64decode(b"".join(lines), validate=True)


def _stanzas(lines: list[bytes]) -> list[tuple[list[bytes], bytes]]:
    """(arguments, body) of each recipient stanza: a "-> " line, then base64 lines of 64
    characters ending with a shorter one."""
    stanzas = []
    rest = iter(lines)
    for line in rest:
        if not line.startswith(STANZA):
            raise ValueError("not a stanza")
        body = []
        for part in rest:
            body.append(part)
            if len(part) < 64:
                break
        else:
            raise ValueError("stanza body not closed")
        stanzas.append((line[len(STANZA) :].split(b" "), b"".join(body)))
    return stanzas


def _file_key(stanzas: list[tuple[list[bytes], bytes]], keys: list[X25519Key]) -> bytes | None:
    for args, body in stanzas:
        if args[0] != b"X25519":
            continue  # other recipients, and the random "grease" stanzas age adds
        if len(args) != 2:
            raise ValueError("bad X25519 stanza")
        share = _b64(args[1])
        wrapped = _b64(body)
        if len(share) != 32 or len(wrapped) != 32:
            raise ValueError("bad X25519 stanza")
        for key in keys:
            shared = key.private.exchange(X25519PublicKey.from_public_bytes(share))
            wrap_key = _hkdf(shared, share + key.public, X25519_INFO)
            try:
                return ChaCha20Poly1305(wrap_key).decrypt(bytes(12), wrapped, None)
            except InvalidTag:
                continue
    return None


def decrypt(data: bytes, keys: list[X25519Key]) -> bytes | None:
    """The plaintext, or None when this file is not one this module handles or fails any check."""
    if not keys:
        return None
    try:
        raw = _dearmor(data) if data.lstrip().startswith(b"-----") else data
        if not raw.startswith(INTRO):
            return None
        mac_at = raw.find(MAC_LINE)
        end = raw.find(b"\n", mac_at + 1)
        if mac_at < 0 or end < 0:
            return None
        header = raw[: mac_at + 4]  # up to and including "---"
        file_key = _file_key(_stanzas(raw[len(INTRO) : mac_at].split(b"\n")), keys)
        if file_key is None or len(file_key) != 16:
            return None
        mac = _b64(raw[mac_at + 5 : end])
        expected = hmac.digest(_hkdf(file_key, b"", b"header"), header, sha256)
        if not hmac.compare_digest(mac, expected):
            return None
        payload = raw[end + 1 :]
        nonce, chunk = payload[:16], payload[16:]
        if len(nonce) != 16 or not 16 < len(chunk) <= CHUNK + 16:
            return None
        payload_key = _hkdf(file_key, nonce, b"payload")
        return ChaCha20Poly1305(payload_key).decrypt(bytes(11) + b"\x01", chunk, None)
    except (ValueError, InvalidTag, binascii.Error):
        return None


def stanza_types(data: bytes) -> list[str] | None:
    """The type of each recipient stanza in an age file's header (X25519, ssh-ed25519 …),
    without the one random "grease" stanza age implementations add; None when the header
    can't be read. No key is needed: this is how many people a file is encrypted to."""
    try:
        raw = _dearmor(data) if data.lstrip().startswith(b"-----") else data
        mac_at = raw.find(MAC_LINE)
        if not raw.startswith(INTRO) or mac_at < 0:
            return None
        types = [
            args[0].decode("ascii") for args, _ in _stanzas(raw[len(INTRO) : mac_at].split(b"\n"))
        ]
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    grease = next((n for n, t in enumerate(types) if t.endswith("-grease")), None)
    return [t for n, t in enumerate(types) if n != grease]
