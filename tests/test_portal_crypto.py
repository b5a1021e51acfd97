"""Portal access codes and encryption: what a client types, and what the page holds."""

from __future__ import annotations

import base64
import json
import re

import pytest
from baodan.core.parse import parse_record
from baodan.models import Client
from baodan.store.portal_crypto import (
    SMALLEST_PAGE,
    decrypt_portal,
    encrypt_portal,
    new_access_code,
    portal_link,
    unpad,
)
from baodan.web.portal_pages import payload_json
from cryptography.exceptions import InvalidTag

PORTAL_ID = "JgdnnWBQkUqdM6AcNTxjHA"


def test_access_code_is_twenty_crockford_characters_in_four_groups():
    codes = {new_access_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{5}-){3}[0-9A-HJKMNP-TV-Z]{5}", code)


def test_code_typed_carelessly_opens_the_same_page():
    code = "7K3QX-M2P9D-4HT8W-ZC6NR"
    payload = encrypt_portal(code, PORTAL_ID, "<p>保单</p>")
    # lower case, no hyphens, spaces, and O/I/L read as 0/1 as Crockford base32 does
    assert decrypt_portal("7k3qx m2p9d 4ht8w zc6nr", payload) == "<p>保单</p>"
    sloppy = "7K3QXM2P9D4HT8WZC6NR".replace("1", "L")
    assert decrypt_portal(sloppy, payload) == "<p>保单</p>"


def test_wrong_code_opens_nothing():
    payload = encrypt_portal("7K3QX-M2P9D-4HT8W-ZC6NR", PORTAL_ID, "<p>保单</p>")
    with pytest.raises(InvalidTag):
        decrypt_portal("7K3QX-M2P9D-4HT8W-ZC6NS", payload)


def test_ciphertext_cannot_be_moved_to_another_portal():
    code = "7K3QX-M2P9D-4HT8W-ZC6NR"
    payload = encrypt_portal(code, PORTAL_ID, "<p>保单</p>")
    with pytest.raises(InvalidTag):
        decrypt_portal(code, {**payload, "id": "another-portal-id-123"})


def test_same_content_same_bytes_changed_content_fresh_nonce():
    code = "7K3QX-M2P9D-4HT8W-ZC6NR"
    first = encrypt_portal(code, PORTAL_ID, "<p>保单 A</p>")
    assert encrypt_portal(code, PORTAL_ID, "<p>保单 A</p>") == first
    changed = encrypt_portal(code, PORTAL_ID, "<p>保单 B</p>")
    assert changed["n"] != first["n"]
    assert "保单" not in str(first)


def sealed_size(payload: dict) -> int:
    """The ciphertext's length without GCM's 16-byte tag: the padded plaintext's."""
    return len(base64.b64decode(payload["c"])) - 16


def test_pages_of_different_lengths_are_padded_to_the_same_few_sizes():
    code = "7K3QX-M2P9D-4HT8W-ZC6NR"
    sizes = {}
    for length in (0, 1, 5_000, SMALLEST_PAGE - 1, SMALLEST_PAGE, 40_000, 100_000):
        html = "保" * (length // 3) + "x" * (length % 3)  # ``length`` UTF-8 bytes
        payload = encrypt_portal(code, PORTAL_ID, html)
        sizes[length] = sealed_size(payload)
        assert decrypt_portal(code, payload) == html  # the padding comes off again
    assert sizes == {
        0: 16384,
        1: 16384,
        5_000: 16384,
        SMALLEST_PAGE - 1: 16384,
        SMALLEST_PAGE: 32768,  # no room left for the padding mark: the next size
        40_000: 65536,
        100_000: 131072,
    }


def test_padding_comes_off_exactly_and_a_page_without_it_is_refused():
    assert unpad(b"<p>\x00</p>\x00\x80" + bytes(100)) == b"<p>\x00</p>\x00"
    with pytest.raises(ValueError):
        unpad(b"<p>no padding</p>")


def test_link_carries_the_code_after_the_hash():
    link = portal_link("https://demo.baodan.example/", "p", PORTAL_ID, "7k3qxm2p9d4ht8wzc6nr")
    assert link == f"https://demo.baodan.example/p/{PORTAL_ID}/#7K3QX-M2P9D-4HT8W-ZC6NR"


CLIENT = """\
id: c-1a2b3c4d
kind: person
name: 测试客户
id_number: 11010519491231002X
city: 杭州
since: 2024-01-02
manager: wang-fang
portal:
  id: JgdnnWBQkUqdM6AcNTxjHA
  key: {key}
"""


def test_client_record_stores_the_code_grouped():
    client, errors = parse_record(Client, CLIENT.format(key="7k3qxm2p9d4ht8wzc6nr"), "c.yaml")
    assert errors == []
    assert client.portal.key == "7K3QX-M2P9D-4HT8W-ZC6NR"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("H3KWq3lh_ZJdOdComi74D1juhXH0mY18QJP23qJoqoc", "访问码应为 20 位"),
        ("7K3QX-M2P9D-4HT8W-ZC6NU", "不含 I、L、O、U"),
    ],
)
def test_client_record_with_a_bad_code_says_what_to_do(key, message):
    _, errors = parse_record(Client, CLIENT.format(key=key), "records/clients/c/client.yaml.age")
    assert len(errors) == 1
    assert errors[0].field == "portal.key"
    assert message in errors[0].message
    assert "baodan portal rotate" in errors[0].hint


@pytest.mark.parametrize("html", ["", "<p>保单</p>", "<p>保单</p>" * 5000])
def test_the_page_writes_the_payload_as_json_dumps_does(html):
    """The build writes a portal's payload without scanning its ciphertext for JSON escapes
    (web/portal_pages.payload_json): the same bytes as json.dumps, which portal.js parses."""
    payload = encrypt_portal(new_access_code(), PORTAL_ID, html)
    assert payload_json(payload) == json.dumps(payload, separators=(",", ":")).encode("ascii")
    assert json.loads(payload_json(payload)) == payload
