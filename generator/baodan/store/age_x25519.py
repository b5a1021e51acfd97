"""age v1 files read to the letter, and decrypted to X25519 identities with OpenSSL.

A build decrypts tens of thousands of small records; pyrage takes about 100 µs a file, most of
it its X25519, while OpenSSL's (through `cryptography`) takes 30 µs. This module follows the
age specification (age-encryption.org/v1) and its reference implementation: the strict ASCII
armor, the header grammar (stanzas, canonical base64, the MAC line), X25519 stanzas, the header
MAC and the STREAM payload. It passes the C2SP CCTV age test vectors (tests/vectors/age); a
file either decrypts to its whole plaintext or raises AgeError, and nothing is released
before the last chunk is authenticated.

``binary`` checks a file's armor and header without decrypting it: a file for identities this
module does not handle (SSH keys) goes to pyrage only after that check, because pyrage accepts
some malformed headers that age refuses.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from hashlib import sha256
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
MAX_WHITESPACE = 1024  # around an armored file, as the reference implementation allows
INTRO = b"age-encryption.org/v1\n"
CHUNK = 64 * 1024
TAG = 16
X25519_INFO = b"age-encryption.org/v1/X25519"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# Canonical base64: the bits a short last group does not use are zero, so only these
# characters may end it (a multiple of 16, or of 4, in the alphabet).
_B64_2, _B64_3 = rb"[A-Za-z0-9+/][AQgw]", rb"[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]"
_B64 = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:%b|%b)?" % (_B64_2, _B64_3))  # unpadded
# Armor, once CRLF line ends are LF: full lines of 64 base64 characters, then at most one
# shorter or padded line, then the end line; only whitespace after it.
_ARMOR = re.compile(
    rb"-----BEGIN AGE ENCRYPTED FILE-----\n"
    rb"((?:[A-Za-z0-9+/]{64}\n)*"
    rb"(?:(?:[A-Za-z0-9+/]{4}){0,15}(?:[A-Za-z0-9+/]{4}|%b==|%b=)\n)?)"
    rb"-----END AGE ENCRYPTED FILE-----(?:\n([ \t\n\r\x0b\x0c]*))?" % (_B64_2, _B64_3)
)
# The header: the version line, recipient stanzas ("-> " and arguments of visible ASCII,
# then base64 lines of 64 characters ending with a shorter one, maybe empty), the MAC line.
_BODY = rb"(?:[A-Za-z0-9+/]{64}\n)*(?:[A-Za-z0-9+/]{4}){0,15}(?:%b|%b)?\n" % (_B64_2, _B64_3)
_STANZA = re.compile(rb"-> ([\x21-\x7e]+(?: [\x21-\x7e]+)*)\n(%b)" % _BODY)
_HEADER = re.compile(
    rb"age-encryption\.org/v1\n(?:-> [\x21-\x7e]+(?: [\x21-\x7e]+)*\n%b)*"
    rb"--- (?P<mac>(?:[A-Za-z0-9+/]{4}){10}%b)\n" % (_BODY, _B64_3)
)


class AgeError(ValueError):
    """A file age refuses. ``kind`` is the CCTV vectors' word for it: armor, header, hmac,
    no match, payload; or unsupported (a passphrase file: baodan has no passphrases)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Header(NamedTuple):
    stanzas: list[tuple[list[bytes], bytes]]  # (type and arguments, base64 body lines)
    signed: bytes  # the bytes the MAC covers: up to and including "---"
    mac: bytes
    payload: bytes  # nonce and STREAM chunks


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
    if not _B64.fullmatch(text):
        raise AgeError("header", "not canonical base64")
    return binascii.a2b_base64(text + b"=" * (-len(text) % 4))


def _dearmor(data: bytes) -> bytes:
    """The binary file inside the armor: whitespace-only lines before it and whitespace after
    it are allowed, CRLF line ends too; anything else in the armor is an error."""
    body = data.lstrip()
    leading = len(data) - len(body)
    if leading > MAX_WHITESPACE or (leading and data[leading - 1 : leading] != b"\n"):
        raise AgeError("armor", "text before the armor")
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    match = _ARMOR.fullmatch(body)
    if match is None:
        raise AgeError("armor", "malformed armor")
    if match[2] is not None and len(match[2]) >= MAX_WHITESPACE:
        raise AgeError("armor", "too much trailing whitespace")
    return base64.b64decode(match[1].replace(b"\n", b""))


def _unarmored(data: bytes) -> bytes:
    """A binary file; an armored one (as the age command tells them: by its first line after
    any whitespace) once its armor is checked and removed."""
    return _dearmor(data) if data.lstrip().startswith(ARMOR_BEGIN) else data


def parse(data: bytes) -> Header:
    """The header of an age file (armored or binary), parsed as strictly as age does."""
    raw = _unarmored(data)
    header = _HEADER.match(raw)
    if header is None:
        raise AgeError("header", "malformed header")
    mac_at = header.start("mac") - 4
    stanzas = [(m[1].split(b" "), m[2]) for m in _STANZA.finditer(raw, len(INTRO), mac_at)]
    mac = binascii.a2b_base64(header["mac"] + b"=")  # canonical: the pattern says so
    return Header(stanzas, raw[: mac_at + 3], mac, raw[header.end() :])


def binary(data: bytes) -> bytes:
    """The file in binary form, once its armor and header are checked (raises AgeError)."""
    raw = _unarmored(data)
    parse(raw)
    return raw


def _file_key(stanzas: list[tuple[list[bytes], bytes]], keys: list[X25519Key]) -> bytes:
    if any(args[0] == b"scrypt" for args, _ in stanzas):
        raise AgeError("unsupported", "passphrase-encrypted file")
    for key in keys:
        for args, body in stanzas:
            if args[0] != b"X25519":
                continue  # other recipients, and the random "grease" stanzas age adds
            if len(args) != 2:
                raise AgeError("header", "malformed X25519 stanza")
            share, body = _b64(args[1]), _b64(body.replace(b"\n", b""))
            if len(share) != 32 or len(body) != 32:
                raise AgeError("header", "malformed X25519 stanza")
            try:
                shared = key.private.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:  # OpenSSL refuses the all-zero shared secret of a low-order share
                raise AgeError("header", "X25519 share of low order") from None
            if not any(shared):
                raise AgeError("header", "X25519 share of low order")
            wrap_key = _hkdf(shared, share + key.public, X25519_INFO)
            try:
                return ChaCha20Poly1305(wrap_key).decrypt(bytes(12), body, None)
            except InvalidTag:
                continue
    raise AgeError("no match", "no identity matched")


def _payload(file_key: bytes, payload: bytes) -> bytes:
    """The STREAM payload: 64 KiB chunks, the last one marked; nothing after it."""
    if len(payload) < 16:
        raise AgeError("header", "payload nonce missing")
    aead = ChaCha20Poly1305(_hkdf(file_key, payload[:16], b"payload"))
    at, end, counter = 16, len(payload), 0
    out = []
    while True:
        chunk = payload[at : at + CHUNK + TAG]
        at += len(chunk)
        last = at >= end
        if last and len(chunk) == TAG and counter:
            raise AgeError("payload", "empty last chunk")
        nonce = counter.to_bytes(11, "big")
        try:
            out.append(aead.decrypt(nonce + (b"\x01" if last else b"\x00"), chunk, None))
        except InvalidTag:  # damaged, truncated, or a chunk marked last with more after it
            raise AgeError("payload", "payload chunk does not authenticate") from None
        if last:
            return b"".join(out)
        counter += 1


def decrypt(data: bytes, keys: list[X25519Key]) -> bytes:
    """The whole plaintext of an age file for one of ``keys``, or AgeError."""
    header = parse(data)
    file_key = _file_key(header.stanzas, keys)
    expected = hmac.digest(_hkdf(file_key, b"", b"header"), header.signed, sha256)
    if not hmac.compare_digest(header.mac, expected):
        raise AgeError("hmac", "header MAC does not match")
    return _payload(file_key, header.payload)


def stanza_types(data: bytes) -> list[str] | None:
    """The type of each recipient stanza in an age file's header (X25519, ssh-ed25519 …),
    without the one random "grease" stanza age implementations add; None when the header
    can't be read. No key is needed: this is how many people a file is encrypted to."""
    try:
        stanzas = parse(data).stanzas
    except AgeError:
        return None
    types = [args[0].decode("ascii") for args, _ in stanzas]  # visible ASCII: the grammar
    grease = next((n for n, t in enumerate(types) if t.endswith("-grease")), None)
    return [t for n, t in enumerate(types) if n != grease]
