"""A portal page's size says nothing about how many policies and claims its client has."""

from __future__ import annotations

import base64
from collections import defaultdict

import pytest
from baodan.store.portal_crypto import SMALLEST_PAGE, decrypt_portal

from . import factories as c
from .conftest import build_public_site
from .test_public_site import portal_payload

pytestmark = pytest.mark.slow  # builds a site


BUCKETS = {SMALLEST_PAGE << k for k in range(10)}  # 16 KiB, 32 KiB, 64 KiB …


def sealed_size(page: str) -> int:
    """The padded plaintext's length: the ciphertext's, without GCM's 16-byte tag."""
    return len(base64.b64decode(portal_payload(page)["c"])) - 16


def test_every_portal_of_a_built_firm_is_one_of_a_few_sizes(public_site):
    pages = sorted((public_site.site / "p").glob("*/index.html"))
    assert len(pages) > 5
    file_sizes = defaultdict(set)
    for path in pages:
        size = sealed_size(path.read_text("utf-8"))
        assert size in BUCKETS, path
        file_sizes[size].add(path.stat().st_size)
    # The rest of the page is the same for every client: a bucket is one file size.
    assert all(len(sizes) == 1 for sizes in file_sizes.values()), file_sizes


def _client(cid: str, birth: str, name: str, portal_id: str, key: str) -> dict:
    me = c.resident_id(birth, 11)
    return c.person(
        cid,
        name=name,
        id_number=me,
        family=[],
        portal={"id": portal_id, "key": key},
    )


def _policies(client: dict, count: int, first: int) -> list[dict]:
    holder = {"name": client["name"], "relation": "本人", "id_number": client["id_number"]}
    return [
        c.policy(f"BD-2026-{n:05d}", policyholder=holder, insured=[holder])
        for n in range(first, first + count)
    ]


def test_one_policy_and_several_look_alike_and_only_a_large_firm_shows_larger(firm):
    c.reset_clients(firm)
    one = _client(
        "c-00000011", "19800101", "赵一", "AAAAAAAAAAAAAAAAAAAAAA", "11111-11111-11111-11111"
    )
    four = _client(
        "c-00000012", "19810101", "钱四", "BBBBBBBBBBBBBBBBBBBBBB", "22222-22222-22222-22222"
    )
    many = _client(
        "c-00000013", "19820101", "孙多", "CCCCCCCCCCCCCCCCCCCCCC", "33333-33333-33333-33333"
    )
    c.write_client(firm, one, _policies(one, 1, 1))
    c.write_client(firm, four, _policies(four, 4, 100))
    c.write_client(firm, many, _policies(many, 30, 200))
    site = build_public_site(firm)

    def page(client: dict) -> str:
        return (site / "p" / client["portal"]["id"] / "index.html").read_text("utf-8")

    for client, count in ((one, 1), (four, 4), (many, 30)):
        shown = decrypt_portal(client["portal"]["key"], portal_payload(page(client)))
        assert shown.count('<article class="bd-card bd-policy">') == count
    assert len(page(one)) == len(page(four))  # one policy or four: the same bytes long
    assert sealed_size(page(one)) == SMALLEST_PAGE
    assert sealed_size(page(many)) > SMALLEST_PAGE  # thirty policies need a larger bucket
    assert sealed_size(page(many)) in BUCKETS
