"""Secrets derived from the firm's record key: only those who hold the key can make them.

Every member and the CI build can open the record key, so each build derives the same secret
without storing one more; an onlooker, a client or a removed member (after the rotation that
removes them) cannot. A secret changes when the record key does, and only then.
"""

from __future__ import annotations

from baodan.store.vault import Vault, key_tag


def firm_secret(vault: Vault, purpose: str) -> bytes:
    """32 bytes for ``purpose`` (a fixed label, e.g. "feed uid v1"), HKDF-SHA256 from the
    record key the records are encrypted to now."""
    return key_tag(vault.current, purpose)
