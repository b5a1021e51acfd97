"""Hand-made records for the client-service tests: a tiny in-memory firm whose figures can be
worked out by hand, built from the real models (so every record is valid)."""

from __future__ import annotations

from datetime import date

from baodan.models import (
    Claim,
    Client,
    ClientFile,
    Firm,
    Interaction,
    Policy,
    Settings,
    Staff,
)

# Valid resident ID numbers (GB 11643 check digit): born 1949-12-31, 1980-02-29, 1990-06-15.
ID_1949 = "11010519491231002X"


def resident_id(birth: str, seq: str = "001") -> str:
    """A valid ID number for a birth date YYYYMMDD (Beijing Dongcheng area code)."""
    from stdnum.cn import ric

    body = f"110101{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def settings() -> Settings:
    return Settings.model_validate(
        {"name": "测试代账公司", "short_name": "测试公司", "contact": {"phone": "0571-1234 5678"}}
    )


def staff() -> dict[str, Staff]:
    rows = [
        ("wang-fang", "王芳", "客户服务部", "客户经理"),
        ("li-qiang", "李强", "理赔部", "理赔专员"),
    ]
    return {
        sid: Staff.model_validate({"id": sid, "name": n, "department": d, "role": r})
        for sid, n, d, r in rows
    }


def client(cid: str, name: str = "张伟", **fields) -> Client:
    data = {
        "id": cid,
        "kind": "person",
        "name": name,
        "id_number": resident_id("19800315"),
        "sex": "男",
        "city": "杭州",
        "since": date(2020, 1, 1),
        "manager": "wang-fang",
    } | fields
    if data["kind"] == "company":
        data.pop("id_number")
        data.pop("sex")
        data.setdefault("uscc", "91350100M000100Y43")
    c = Client.model_validate(data)
    c._client_id = cid
    return c


def policy(no: str, *, category="liability", sub="public", **fields) -> Policy:
    data = {
        "registry_no": no,
        "category": category,
        "subcategory": sub,
        "insurer": "picc",
        "product": "测试产品",
        "policy_no": "P" + no[-5:],
        "policyholder": {"name": "张伟"},
        "insured": [{"name": "张伟"}],
        "sum_insured": 100000,
        "premium": 1000,
        "payment": {"frequency": "annual"},
        "effective": date(2025, 1, 1),
        "terminates": date(2025, 12, 31),
        "intake": {
            "received_on": date(2025, 1, 1),
            "received_by": "wang-fang",
            "from_whom": "客户本人",
            "medium": "electronic",
        },
    } | fields
    if category == "auto":
        data.setdefault("vehicle", {"plate": "浙A12345", "vin": "LSVAB2BM0KN123456"})
    return Policy.model_validate(data)


def claim(cid: str, policy_no: str, stages: list[tuple[str, date]], **fields) -> Claim:
    data = {
        "id": cid,
        "policy": policy_no,
        "type": "medical",
        "incident_date": stages[0][1],
        "reported_on": stages[0][1],
        "handler": "li-qiang",
        "stages": [{"stage": s, "date": d} for s, d in stages],
    } | fields
    return Claim.model_validate(data)


def interaction(day: date, kind: str = "consultation", name: str = "", **fields) -> Interaction:
    data = {"date": day, "kind": kind, "staff": "wang-fang", "channel": "phone", "summary": "测试"}
    i = Interaction.model_validate(data | fields)
    i._path = f"records/clients/x/interactions/{name or day.isoformat() + '-1'}.yaml.age"
    return i


def survey(day: date, score=None, nps=None, about=None) -> Interaction:
    s = {k: v for k, v in {"score": score, "nps": nps, "about": about}.items() if v is not None}
    return interaction(day, "survey", survey=s)


def firm(*files: ClientFile) -> Firm:
    f = Firm(settings=settings(), staff=staff())
    f.clients = {cf.client.id: cf for cf in files}
    return f
