"""Client portal access codes and the encryption that the build and the browser agree on.

A portal's secret is an *access code*: 20 Crockford base32 characters (100 random bits),
shown in four groups (``7K3QX-…``) so a person can read it out or type it. The client's link
carries it after ``#`` (never sent to a server); typed into the page it works the same way.
Both sides derive the AES-256-GCM key with HKDF-SHA256(code, salt = portal id,
info = "baodan portal v1"); site_templates/assets/portal.js is the browser side. The code is
random and long, so no slow password hashing is needed.

Before encryption a page is padded to a size bucket (``padded_size``), so the size of its
ciphertext does not tell how many policies and claims a client has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from baodan.models.base import (
    ACCESS_CODE_CHARS,
    CROCKFORD,
    canonical_access_code,
    format_access_code,
)

INFO = b"baodan portal v1"
REQUEST_INFO = b"baodan request v1"
VERSION = 2  # 2: the plaintext is padded (pad/unpad)
# The smallest padded page. In the demo generator's mix (5 policies and a claim a client on
# average) the median page is 13 KB and three in four fit in 16 KiB: one to about five
# policies and a claim look alike, and all but the largest households and firms fit in the
# next bucket. Buckets double from here, so padding at most doubles a page and its size
# tells an onlooker no more than which power of two it falls under.
SMALLEST_PAGE = 16 * 1024


def new_access_code(bits: int | None = None) -> str:
    """A fresh access code, grouped: XXXXX-XXXXX-XXXXX-XXXXX. ``bits`` (100 of them) lets the
    demo generator draw the code from its own seeded random stream."""
    value = secrets.randbits(5 * ACCESS_CODE_CHARS) if bits is None else bits
    return format_access_code(
        "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(ACCESS_CODE_CHARS)))
    )


def _hkdf(code: str, portal_id: str, info: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=portal_id.encode("utf-8"), info=info
    ).derive(canonical_access_code(code).encode("ascii"))


def portal_key(code: str, portal_id: str) -> bytes:
    """The AES-256 key of a portal page; the browser derives the same one from the code."""
    return _hkdf(code, portal_id, INFO)


def request_key(code: str, portal_id: str) -> bytes:
    """The key of the check code on requests sent from a portal (domain/requests.py). It is
    put inside the encrypted page, so only someone who opened the page has it; staff derive
    it again from the access code in the client record. A new code (rotation) makes a new key."""
    return _hkdf(code, portal_id, REQUEST_INFO)


def associated_data(portal_id: str) -> bytes:
    """Binds a ciphertext to its page, so it cannot be moved to another portal's address."""
    return INFO + b":" + portal_id.encode("utf-8")


def padded_size(length: int) -> int:
    """The bucket a plaintext of ``length`` bytes is padded to (room for the 0x80 mark)."""
    size = SMALLEST_PAGE
    while size < length + 1:
        size *= 2
    return size


def pad(data: bytes) -> bytes:
    """``data``, 0x80, then zeros up to its bucket (ISO/IEC 7816-4 padding): a function of
    the length alone, so rebuilds stay byte-identical."""
    return data + b"\x80" + bytes(padded_size(len(data)) - len(data) - 1)


def unpad(data: bytes) -> bytes:
    """``data`` without its padding (portal.js does the same)."""
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("portal plaintext without its padding")
    return end[:-1]


def encrypt_portal(code: str, portal_id: str, html: str) -> dict:
    """The page's payload: ``{"v", "id", "n", "c"}`` with base64 nonce and ciphertext."""
    plaintext = pad(html.encode("utf-8"))
    key = portal_key(code, portal_id)
    # The nonce is derived from the key and the content (as AES-GCM-SIV does) instead of drawn
    # at random: a rebuild of unchanged records then gives the same bytes, so deploys and
    # reviews show only real changes, and a changed page always gets a fresh nonce. A GCM
    # nonce must never repeat for two different plaintexts under one key; two different
    # pages collide only if HMAC-SHA256 truncated to 96 bits does (about 2^-48 after 2^24
    # versions of one page). The nonce key is a separate HKDF output, not the AES key.
    nonce_key = _hkdf(code, portal_id, INFO + b" nonce")
    nonce = hmac.new(nonce_key, plaintext, hashlib.sha256).digest()[:12]
    sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data(portal_id))
    return {
        "v": VERSION,
        "id": portal_id,
        "n": base64.b64encode(nonce).decode("ascii"),
        "c": base64.b64encode(sealed).decode("ascii"),
    }


def decrypt_portal(code: str, payload: dict) -> str:
    """What a browser shows for ``payload`` (the reference for portal.js; tests use it).
    Raises cryptography's InvalidTag for a wrong code."""
    key = portal_key(code, payload["id"])
    plaintext = AESGCM(key).decrypt(
        base64.b64decode(payload["n"]),
        base64.b64decode(payload["c"]),
        associated_data(payload["id"]),
    )
    return unpad(plaintext).decode("utf-8")


def portal_url(site_url: str, portal_dir: str, portal_id: str) -> str:
    return f"{site_url.rstrip('/')}/{portal_dir}/{portal_id}/"


def portal_link(site_url: str, portal_dir: str, portal_id: str, code: str) -> str:
    """The link a client opens: the page address with the access code after ``#``."""
    return f"{portal_url(site_url, portal_dir, portal_id)}#{format_access_code(code)}"


def new_portal_id() -> str:
    """The page's address part: 128 random bits, base64url, no personal data."""
    return secrets.token_urlsafe(16)
