"""Hand-made records for tests that must know exactly what a firm holds (instead of finding
cases the demo generator plants): dicts shaped like the YAML records, models built from the real
models (so every record is valid), small in-memory firms, and a firm folder that holds only them."""

from __future__ import annotations

import copy
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml
from baodan.models import (
    Claim,
    Client,
    ClientFile,
    Firm,
    Insurer,
    Interaction,
    Policy,
    Settings,
    Task,
)
from baodan.models.staff import Staff
from stdnum.cn import ric

from .helpers import write_record


def resident_id(birth: str, seq: int = 1, area: str = "110105") -> str:
    """A valid resident ID (GB 11643 check digit): area, birth date YYYYMMDD, sequence (odd
    male, even female)."""
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


ME = resident_id("19800101", 11)  # male
SPOUSE = resident_id("19820202", 22)  # female
CHILD = resident_id("20100303", 33)  # male


def person(cid: str = "c-00000001", **over) -> dict:
    data = {
        "id": cid,
        "kind": "person",
        "name": "张伟",
        "id_number": ME,
        "sex": "男",
        "mobile": "13912345678",
        "address": "杭州市西湖区文三路 1 号",
        "city": "杭州",
        "tier": "B",
        "since": date(2020, 1, 1),
        "manager": "wang-fang",
        "family": [
            {"name": "李娜", "relation": "配偶", "id_number": SPOUSE, "mobile": "13812345678"},
            {"name": "张小明", "relation": "子女", "id_number": CHILD, "dependant": True},
        ],
        "consent": {
            "signed_on": date(2020, 1, 1),
            "method": "纸质签字",
            "purposes": ["保单保管"],
            "sensitive": True,
        },
    }
    data.update(over)
    return data


def company(cid: str = "c-00000002", **over) -> dict:
    data = {
        "id": cid,
        "kind": "company",
        "name": "杭州示例贸易有限公司",
        "uscc": "91350100M000100Y43",
        "mobile": "13700000000",
        "address": "杭州市滨江区江南大道 2 号",
        "city": "杭州",
        "employees": 12,
        "tier": "A",
        "since": date(2019, 5, 1),
        "manager": "chen-jing",
        "consent": {"signed_on": date(2019, 5, 1), "method": "纸质签字", "purposes": ["保单保管"]},
    }
    data.update(over)
    return data


def policy(regno: str, **over) -> dict:
    """A one-year medical policy of the person client, paper, received on the day it began."""
    effective = over.pop("effective", date(2026, 3, 1))
    data = {
        "registry_no": regno,
        "category": "health",
        "subcategory": "medical",
        "insurer": "pingan",
        "product": "平安e生保",
        "policy_no": "P" + regno[-5:] + "0000000001",
        "status": "active",
        "policyholder": {"name": "张伟", "relation": "本人", "id_number": ME},
        "insured": [{"name": "张伟", "relation": "本人", "id_number": ME}],
        "sum_insured": 3000000,
        "premium": 800,
        "payment": {"frequency": "annual"},
        "effective": effective,
        "terminates": date(effective.year + 1, effective.month, effective.day) - timedelta(days=1),
        "intake": {
            "received_on": effective,
            "received_by": "wang-fang",
            "from_whom": "客户本人",
            "medium": "paper",
            "original_location": "档案柜A-01",
        },
    }
    data.update(over)
    return data


def contact(regno: str, day: date, intention: str | None = None, **over) -> dict:
    data = {
        "date": day,
        "kind": "renewal",
        "staff": "wang-fang",
        "channel": "phone",
        "summary": "续保联系",
        "policy": regno,
    }
    if intention:
        data["intention"] = intention
    data.update(over)
    return data


def task(tid: str, due: date, **over) -> dict:
    data = {
        "id": tid,
        "title": "通知客户补交材料",
        "kind": "handoff",
        "from_department": "客户服务部",
        "to_department": "客户服务部",
        "owner": "wang-fang",
        "created": date(2026, 11, 1),
        "due": due,
        "status": "open",
    }
    data.update(over)
    return data


# ---- in memory ---------------------------------------------------------------------------------

INSURERS = {
    "pingan": {
        "code": "pingan",
        "name": "中国平安财产保险股份有限公司",
        "short_name": "平安产险",
        "kind": "财产险",
        "claims_hotline": "95511",
        "solvency": [
            {"quarter": "2026Q3", "comprehensive_ratio": 220, "core_ratio": 150, "rating": "AA"}
        ],
    },
    "weak": {
        "code": "weak",
        "name": "示例财产保险股份有限公司",
        "short_name": "示例财险",
        "kind": "财产险",
        "claims_hotline": "400-800-0000",
        "solvency": [
            {"quarter": "2026Q3", "comprehensive_ratio": 96, "core_ratio": 43, "rating": "C"}
        ],
    },
    "stale": {
        "code": "stale",
        "name": "示例人寿保险股份有限公司",
        "short_name": "示例人寿",
        "kind": "人身险",
        "claims_hotline": "95522",
        "solvency": [
            {"quarter": "2025Q4", "comprehensive_ratio": 200, "core_ratio": 120, "rating": "A"}
        ],
    },
}
SETTINGS = {
    "name": "测试代账公司",
    "short_name": "测试公司",
    "contact": {"phone": "0571-0000 0000"},
}
STAFF = {
    "wang-fang": {
        "id": "wang-fang",
        "name": "王芳",
        "department": "客户服务部",
        "role": "客户经理",
    },
    "chen-jing": {"id": "chen-jing", "name": "陈静", "department": "会计部", "role": "会计主管"},
    "li-qiang": {"id": "li-qiang", "name": "李强", "department": "理赔部", "role": "理赔专员"},
}


# Minimal models for the client-service tests, whose figures are worked out by hand.


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
        "consent": {"signed_on": date(2020, 1, 1), "method": "纸质签字", "purposes": ["保单保管"]},
    } | fields
    if data["kind"] == "company":
        data.pop("id_number")
        data.pop("sex")
        data.setdefault("uscc", "91350100M000100Y43")
    c = Client.model_validate(data)
    c._client_id = cid
    return c


def policy_model(no: str, *, category="liability", sub="public", **fields) -> Policy:
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


def client_file(client: dict, policies=(), interactions=(), tasks=(), claims=()) -> ClientFile:
    cf = ClientFile(Client.model_validate(client))
    cf.policies = [Policy.model_validate(copy.deepcopy(p)) for p in policies]
    cf.interactions = [Interaction.model_validate(i) for i in interactions]
    cf.tasks = [Task.model_validate(t) for t in tasks]
    for record in (cf.client, *cf.policies, *cf.interactions, *cf.tasks):
        record._client_id = client["id"]
    return cf


def firm(*client_files: ClientFile) -> Firm:
    return Firm(
        settings=Settings.model_validate(SETTINGS),
        insurers={k: Insurer.model_validate(v) for k, v in INSURERS.items()},
        staff={k: Staff.model_validate(v) for k, v in STAFF.items()},
        clients={cf.client.id: cf for cf in client_files},
    )


# ---- on disk -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Records are written out in full, as baodan writes them: a value used twice (one date
    for two fields) is not an &anchor and *alias, which records refuse."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def reset_clients(firm_dir) -> None:
    """Keep the firm (settings, insurers, staff, keys) and drop its generated clients."""
    shutil.rmtree(firm_dir.root / "records/clients")
    (firm_dir.root / "records/clients").mkdir()
    for code, data in INSURERS.items():
        path = firm_dir.root / f"records/insurers/{code}.yaml"
        if not path.exists():
            path.write_text(dump(data), "utf-8")


def write_client(firm_dir, client: dict, policies=(), interactions=(), tasks=()) -> Path:
    base = f"records/clients/{client['id']}"
    ids = firm_dir.identities
    write_record(firm_dir.root, f"{base}/client.yaml.age", dump(client), ids)
    for p in policies:
        write_record(firm_dir.root, f"{base}/policies/{p['registry_no']}.yaml.age", dump(p), ids)
    for n, i in enumerate(interactions, 1):
        write_record(firm_dir.root, f"{base}/interactions/{i['date']}-{n}.yaml.age", dump(i), ids)
    for t in tasks:
        write_record(firm_dir.root, f"{base}/tasks/{t['id']}.yaml.age", dump(t), ids)
    return firm_dir.root / base
