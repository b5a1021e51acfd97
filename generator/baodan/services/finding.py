"""`baodan find` and `baodan clients`: look a client or policy up by what staff know (a name,
a phone number, an ID number, a policy or registry number, a plate, a family member's name),
and list clients with filters, in pinyin order.

Both read the summaries of store/lookup_cache.py, so a 2,000-client firm answers without
decrypting its records again; this module imports no record model unless a record changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from baodan.core.errors import BaodanError
from baodan.core.pinyin import pinyin_key
from baodan.store import lookup_cache
from baodan.store.workspace import Workspace

VERSION = "2"  # what summarize() makes: change it when a summary gains or loses a field
MASKED = ("mobile", "id")  # kinds of value shown masked but for the part that matched


def summarize(record, rules) -> tuple[str, str, dict]:
    """What find and clients need of a client record or a policy: its kind, the words it is
    found by, and its summary (JSON-ready)."""
    summary = _summary(record, rules)
    words = WORDS.join(normal(value) for _, value, _, _ in _fields(summary) if value)
    return summary["type"], words, summary


def _summary(record, rules) -> dict:
    from baodan.models import Client
    from baodan.models.policy import STATUSES
    from baodan.models.taxonomy import taxonomy

    if isinstance(record, Client):
        ends = [d for d in (record.left_on, record.consent and record.consent.withdrawn_on) if d]
        return {
            "type": "client",
            "id": record.id,
            "name": record.name,
            "sort": pinyin_key(record.name),
            "mobile": record.mobile,
            "phone": record.phone,
            "id_number": record.id_number or record.uscc,
            "city": record.city,
            "manager": record.manager,
            "tier": record.tier,
            "ends": min(ends).isoformat() if ends else None,
            "family": [[m.name, m.relation, m.mobile, m.id_number] for m in record.family],
            "contacts": [[c.name, c.title or "联系人", c.mobile] for c in record.contacts],
        }
    return {
        "type": "policy",
        "client": record._client_id,
        "registry_no": record.registry_no,
        "policy_no": record.policy_no,
        "product": record.product,
        "insurer": record.insurer,
        "category": taxonomy(rules).category_name(record.category),
        "status": STATUSES.get(record.status, record.status),
        "people": [
            [p.name, role, p.id_number or p.uscc]
            for role, people in (("投保人", [record.policyholder]), ("被保险人", record.insured))
            for p in people
        ]
        + [[b.name, "受益人", b.id_number] for b in record.beneficiaries],
        "plate": record.vehicle.plate if record.vehicle else None,
        "vin": record.vehicle.vin if record.vehicle else None,
    }


def _fields(s: dict) -> list[tuple[str, str | None, str, bool]]:
    """(label, value, kind, own) of each value a summary can be found by; ``own``: the
    record's own name or number, not a family member's or an insured person's."""
    if s["type"] == "client":
        found = [
            ("姓名", s["name"], "text", True),
            ("客户编号", s["id"], "text", True),
            ("手机", s["mobile"], "mobile", True),
            ("电话", s["phone"], "text", True),
            ("证件号", s["id_number"], "id", True),
        ]
        for name, relation, mobile, id_number in s["family"]:
            found += [
                (f"家属（{relation}）", name, "text", False),
                (f"家属 {name} 的手机", mobile, "mobile", False),
                (f"家属 {name} 的证件号", id_number, "id", False),
            ]
        for name, title, mobile in s["contacts"]:
            found += [
                (f"联系人（{title}）", name, "text", False),
                (f"联系人 {name} 的手机", mobile, "mobile", False),
            ]
        return found
    found = [
        ("登记号", s["registry_no"], "text", True),
        ("保险公司保单号", s["policy_no"], "text", True),
        ("车牌", s["plate"], "text", True),
        ("车架号", s["vin"], "text", True),
    ]
    for name, role, id_number in s["people"]:
        found += [(role, name, "text", False), (f"{role} {name} 的证件号", id_number, "id", False)]
    return found


def normal(text: str) -> str:
    """What is compared: no spaces, dashes or dots (a plate 浙A·12345), capitals (an ID
    number's X)."""
    return "".join(text.split()).translate(IGNORED).upper()


IGNORED = str.maketrans("", "", "-·.•")
WORDS = "\x1f"  # between the values a record is found by: whitespace, so never in a query


def reveal(value: str, query: str, kind: str) -> str:
    """A value as find shows it: of an ID or mobile number only the part that was typed,
    the rest as * (its owner is known from the row; the number is on the client's page)."""
    if kind not in MASKED:
        return value
    start = normal(value).find(query)
    if start < 0 or len(normal(value)) != len(value):  # spaces left out would shift it
        return "*" * len(value)
    return "*" * start + value[start : start + len(query)] + "*" * (len(value) - start - len(query))


@dataclass
class Hit:
    summary: dict
    rank: int  # the whole value 0, its start 2, inside it 4; +1 for a family member's, …
    matched: list[str] = field(default_factory=list)  # "label：value" as shown


def _hit(s: dict, query: str) -> Hit | None:
    hit = None
    for label, value, kind, own in _fields(s):
        if not value or query not in (text := normal(value)):
            continue
        rank = (0 if text == query else 2 if text.startswith(query) else 4) + (not own)
        if hit is None:
            hit = Hit(s, rank)
        hit.rank = min(hit.rank, rank)
        hit.matched.append(f"{label}：{reveal(value, query, kind)}")
    return hit


@dataclass
class Found:
    clients: list[Hit]
    policies: list[Hit]
    names: dict[str, str]  # client id -> name, for the policies' rows


def find(ws: Workspace, text: str, today: date) -> tuple[Found, list]:
    """Clients and policies whose name, numbers, plate or people contain ``text``, the
    closest first (a whole value, then its start, then inside it)."""
    query = normal(text)
    if not query:
        raise BaodanError("要查什么？没有写内容", "例如 baodan find 李红霞、手机号、证件号或保单号")
    rows, errors = lookup_cache.rows(ws.root, ws.vault, today, summarize, VERSION)
    hits = [h for row in rows if query in row.words and (h := _hit(row.summary, query))]
    clients = {row.client_id: row for row in rows if row.kind == "client"}
    # A client found brings their policies along (find 李红霞: her policies too).
    found_clients = {h.summary["id"]: h for h in hits if h.summary["type"] == "client"}
    found_policies = {h.summary["registry_no"] for h in hits if h.summary["type"] == "policy"}
    for row in rows:
        if row.kind == "policy" and (owner := found_clients.get(row.client_id)):
            s = row.summary
            if s["registry_no"] not in found_policies:
                hits.append(Hit(s, owner.rank, [f"客户：{owner.summary['name']}"]))
    names = {
        cid: clients[cid].summary
        for cid in {h.summary.get("client") or h.summary["id"] for h in hits}
        if cid in clients
    }

    def order(h: Hit) -> tuple:
        s = h.summary
        client = names.get(s.get("client") or s["id"], {})
        return (h.rank, client.get("sort", ""), s.get("registry_no", ""))

    return (
        Found(
            sorted((h for h in hits if h.summary["type"] == "client"), key=order),
            sorted((h for h in hits if h.summary["type"] == "policy"), key=order),
            {cid: s["name"] for cid, s in names.items()},
        ),
        errors,
    )


CLIENT_STATUSES = {"active": "服务中", "left": "已终止"}  # left: ended service or withdrew consent


def list_clients(
    ws: Workspace,
    today: date,
    *,
    manager: str | None = None,
    tier: str | None = None,
    city: str | None = None,
    status: str | None = None,
) -> tuple[list[dict], list]:
    """Client summaries in pinyin order, those matching every filter given."""
    from baodan.core.choices import pick

    left = None if status is None else pick(status, CLIENT_STATUSES, "--status") == "left"
    rows, errors = lookup_cache.rows(ws.root, ws.vault, today, summarize, VERSION)
    wanted = []
    for row in rows:
        if row.kind != "client":
            continue
        s = row.summary
        s["left"] = s["ends"] is not None and s["ends"] <= today.isoformat()
        if (
            (manager is None or s["manager"] == manager)
            and (tier is None or s["tier"] == tier.upper())
            and (city is None or city in s["city"])
            and (left is None or s["left"] == left)
        ):
            wanted.append(s)
    return sorted(wanted, key=lambda s: s["sort"]), errors
