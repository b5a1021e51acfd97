"""A deterministic synthetic firm: the committed demo firm, and the benchmark firm.

``generate(root, size, vault)`` writes a complete firm folder under ``root``: the plain
records (firm, insurers, staff, and synthetic lectures when asked) and every client's records
encrypted with ``vault`` (the firm's record key). It never writes keys: the caller sets up
``records/.keys`` first and opens the firm::

    members.init_keys(root, "demo", str(identity.to_public()))
    ws = Workspace.at(root, IdentitySource([identity], "demo"))
    demo.generate(root, demo.DEMO, ws.vault)

All randomness comes from one ``random.Random(seed)``, never the clock: the same seed and size
give byte-identical plaintext (``render`` returns it without encrypting). Everything is fictional;
the well-known insurers are real companies, but their solvency figures here are illustrative.

Test hooks the generator always includes (when the size allows):
- an engineering policy effective 2024-03-01 that terminates 2028-02-29 (a construction company);
- a medical policy paid monthly, effective 2026-01-31 to 2027-01-30, 268.50 元 a month: due on
  the 31st, or the month's last day (the first person client);
- a whole-life policy on a client's parent, for the death claim;
- insurer ``ins-06`` (fictional) rated C in its latest quarter; ``taikang``'s latest figure is
  2026Q1 (stale as of late 2026);
- at least one refused claim that became a dispute; two policies on hold after the intake
  audit, each with an open audit task, one of them overdue (40+ policies); one former client
  (20+ clients);
- (demo_lifecycle.py) audits on recent policies, discrepancies in every status, renewal contacts
  in every stage of the pipeline, and a finding of every risk rule (demo size);
- every category and subcategory of data/taxonomy.yaml, when there are enough policies.
"""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING

import yaml
from stdnum.cn import ric, uscc

from baodan.core.rules import Rules
from baodan.demo import service as demo_service
from baodan.demo.common import (
    _Client,
    _money,
    _org_check,
    _Person,
    _vin_check,
    _wan,
    _yuan,
    add_note,
    add_years,
    chinese_number,
    claim_type,
    hash_cat,
    interaction_names,
    renewable,
)
from baodan.demo.documents import demo_documents
from baodan.demo.lifecycle import add_lifecycle
from baodan.demo.tables import (
    C_RATED,
    CARS,
    CITIES,
    COMPANY_BRANDS,
    FICTIONAL_WORDS,
    GIVEN,
    HOLD_NOTES,
    HOSPITALS,
    INDUSTRIES,
    INSURER_ORDER,
    LECTURE_TOPICS,
    LONG_TERM,
    OCCUPATIONS,
    PERSON_CATEGORIES,
    PLATE_LETTERS,
    PRODUCTS,
    QUARTERS,
    REAL_INSURERS,
    SERVICES,
    STAFF,
    STAFF_NAMES,
    STALE,
    STALE_QUARTERS,
    SUBS,
    SURNAME_WEIGHTS,
    SURNAMES,
    TRUCK,
    VIN_CHARS,
)
from baodan.domain.care import lunar_to_solar
from baodan.domain.claims import claim_rules
from baodan.models.ids import CROCKFORD, REGISTRY_CODE_LENGTH, registry_no
from baodan.models.taxonomy import taxonomy
from baodan.store.portal_crypto import new_access_code

if TYPE_CHECKING:
    from baodan.store.vault import Vault


@dataclass
class FirmSize:
    clients: int = 36
    policies: int = 140
    claims: int = 12
    interactions: int = 90
    insurers: int = 6
    lectures: int = 0  # > 0: also write synthetic lecture files


DEMO = FirmSize()
BENCHMARK = FirmSize(
    clients=2000, policies=10000, claims=2000, interactions=20000, insurers=20, lectures=50
)
DEMO_TODAY = date(2026, 11, 27)
# Draws of a common name before a composed one (see person_name and company_name). The demo
# needs at most 3; a larger firm runs out of common names, and each further draw is wasted.
NAME_TRIES = 20
COMPOSED_NAME_TRIES = 30

# --------------------------------------------------------------------------------------------
# YAML out: block style, key order kept, Chinese as is, numbers-as-text quoted by PyYAML itself.


class _Fast(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):
    """For the encrypted records: libyaml's emitter, fast enough for 35,000 files."""

    def ignore_aliases(self, data):
        return True


class _Pretty(yaml.SafeDumper):
    """For the plain records people edit: sequences indented like yamlio.roundtrip() writes them."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _repr_str(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


def _repr_list(dumper, value: list):
    """Short lists of numbers or words on one line: [90, 60, 30, 7]."""
    flow = bool(value) and (
        all(isinstance(x, int) and not isinstance(x, bool) for x in value)
        or (all(isinstance(x, str) for x in value) and sum(len(x) + 2 for x in value) <= 48)
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


for _dumper in (_Fast, _Pretty):
    _dumper.add_representer(str, _repr_str)
    _dumper.add_representer(list, _repr_list)
    _dumper.add_representer(
        Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", format(v, "f"))
    )


def dump(data, pretty: bool = False) -> str:
    return yaml.dump(
        data,
        Dumper=_Pretty if pretty else _Fast,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
        default_flow_style=False,
    )


# --------------------------------------------------------------------------------------------
# The generator.


class _Generator:
    def __init__(
        self,
        size: FirmSize,
        seed: int,
        today: date,
        lectures: tuple[tuple[str, date, str], ...] = (),
    ):
        self.size, self.today, self.seed = size, today, seed
        self.known_lectures = lectures  # (slug, date, title) of lecture files already there
        self.rng = Random(seed)
        self.files: dict[str, str] = {}
        self.used: set[str] = set()  # every unique token: ids, registry numbers, names …
        self.code_ok: dict[tuple[str, int], bool] = {}
        self.tax = taxonomy(Rules()).categories  # the demo firm tunes no rules
        for cat, spec in self.tax.items():
            for sub in spec.subcategories:
                if (cat, sub) not in SUBS:
                    raise ValueError(
                        f"demo.py 不认识险种 {cat}/{sub}：请在 SUBS 和 PRODUCTS 里补上"
                    )

    # ---- primitives ------------------------------------------------------------------------

    def unique(self, make):
        for _ in range(1000):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("could not find a unique value")

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def token(self, nbytes: int) -> str:
        raw = self.rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def hex_id(self, prefix: str) -> str:
        return self.unique(lambda: f"{prefix}{self.rng.getrandbits(32):08x}")

    def mobile(self) -> str:
        heads = [
            "139",
            "138",
            "137",
            "136",
            "135",
            "150",
            "151",
            "158",
            "159",
            "186",
            "187",
            "188",
            "133",
            "153",
            "180",
            "189",
            "177",
            "199",
            "130",
            "131",
            "132",
            "155",
            "156",
            "185",
            "176",
            "166",
        ]
        return self.unique(lambda: self.rng.choice(heads) + f"{self.rng.randrange(10**8):08d}")

    def landline(self, area: str) -> str:
        """All the cities here have 8-digit local numbers."""
        return f"{area}-{self.rng.choice('5678')}{self.rng.randrange(10**7):07d}"

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0]

    def given(self, sex: str, birth: date) -> str:
        era = "old" if birth.year < 1962 else "young" if birth.year >= 1990 else "mid"
        return self.rng.choice(GIVEN[(sex, era)])

    def person_name(
        self, sex: str, birth: date, surname: str | None = None, avoid: str = ""
    ) -> str:
        """A name not used yet; ``avoid``: characters a child's given name must not repeat.

        The common given names come first; once they are taken (a firm of thousands of
        clients), a given name composed of two of their characters; a name shared with someone
        else only when both are exhausted, as happens in life."""

        def common():
            return (surname or self.surname()) + self.given(sex, birth)

        def composed():
            first, last = self.given(sex, birth)[0], self.given(sex, birth)[-1]
            return (surname or self.surname()) + first + last if first != last else ""

        for attempt in range(NAME_TRIES + COMPOSED_NAME_TRIES):
            name = common() if attempt < NAME_TRIES else composed()
            if not name or set(name[1:]) & set(avoid):
                continue
            if name not in STAFF_NAMES and name not in self.used:
                self.used.add(name)
                return name
        return common()

    def company_name(self, city: str, trade: str) -> str:
        """A company name not used yet: a brand of the city and trade, or, once the brands are
        taken (a firm of thousands of clients), a numbered branch of one (…有限公司第二分公司)."""
        for _ in range(NAME_TRIES):
            name = f"{city}{self.rng.choice(COMPANY_BRANDS)}{trade}有限公司"
            if name not in self.used:
                break
        else:
            branches = (f"{name}第{chinese_number(n)}分公司" for n in count(2))
            name = next(b for b in branches if b not in self.used)
        self.used.add(name)
        return name

    def birth(self, lo: int, hi: int) -> date:
        lo = max(lo, 1925)
        hi = min(hi, self.today.year - 1)
        start = date(lo, 1, 1)
        return self.day_between(start, min(date(hi, 12, 31), self.today - timedelta(days=30)))

    def _code_valid(self, code: str, year: int) -> bool:
        key = (code, year)
        if key not in self.code_ok:
            body = f"{code}{year}0101001"
            self.code_ok[key] = ric.is_valid(body + ric.calc_check_digit(body + "0"))
        return self.code_ok[key]

    def resident_id(self, city: str, birth: date, sex: str) -> str:
        _, _, _, _, districts, extra = next(c for c in CITIES if c[0] == city)
        codes = [d[0] for d in districts] + extra
        good = [c for c in codes if self._code_valid(c, birth.year)]
        if not good:  # stdnum knows no code of this city for the year: born elsewhere
            good = [
                c
                for row in CITIES
                for c in [d[0] for d in row[4]] + row[5]
                if self._code_valid(c, birth.year)
            ]
        for _ in range(100):
            code = self.rng.choice(good)
            seq = self.rng.randrange(1, 500) * 2 - (1 if sex == "男" else 0)
            body = f"{code}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                assert ric.is_valid(number), number
                assert (int(number[16]) % 2 == 1) == (sex == "男")
                self.used.add(number)
                return number
        raise RuntimeError("no free resident ID")

    def make_uscc(self, area: str, founded: date) -> str:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

        def make():
            if founded.year >= 2016:
                body = "MA" + "".join(
                    self.rng.choice(alphabet[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
                )
            else:
                body = f"{self.rng.randrange(10**8):08d}"
            org = body + _org_check(body)
            first17 = "91" + area + org
            return first17 + uscc.calc_check_digit(first17)

        number = self.unique(make)
        assert uscc.is_valid(number), number
        return number

    def city(self) -> tuple:
        return self.rng.choices(CITIES, [c[3] for c in CITIES])[0]

    def address(self, city_row, kind: str = "home") -> tuple[str, str]:
        city, _, _, _, districts, _ = city_row
        code, district, roads = self.rng.choice(districts)
        road = self.rng.choice(roads)
        n = self.rng.randint(1, 999)
        if kind == "home":
            tail = f"{self.rng.randint(1, 30)}幢{self.rng.randint(1, 4)}单元{self.rng.randint(1, 28)}{self.rng.randint(1, 4):02d}室"
            return f"{city}市{district}{road}{n}号{tail}", code
        if kind == "office":
            tail = (
                self.rng.choice(["A座", "B座", "1号楼", "2号楼", ""])
                + f"{self.rng.randint(2, 25)}{self.rng.randint(1, 20):02d}室"
            )
            return f"{city}市{district}{road}{n}号{tail}", code
        if kind == "site":
            other = self.rng.choice([r for r in roads if r != road] or roads)
            return (
                f"{city}市{district}{road}与{other}交叉口{self.rng.choice(['东北', '西北', '东南', '西南'])}角地块",
                code,
            )
        return (
            f"{city}市{district}{road}{n}号{self.rng.choice(['1号厂房', '仓库', '2号车间', '综合楼'])}",
            code,
        )

    # ---- public records -------------------------------------------------------------------

    def write(self, rel: str, data) -> None:
        self.files[rel] = dump(data, pretty=True)

    def firm(self) -> None:
        about = (
            "我们是一家扎根杭州的代账公司，十多年来为个人和中小企业记账报税。很多客户把保单也交给我们保管："
            "我们统一登记、核对信息，到期前提醒续保，出险时协助理赔，平时解答保险问题。\n"
            "本站是演示站点：公司、客户、保单和理赔全部虚构；保险公司偿付能力数据仅作示意，"
            "请以各公司官网披露为准。\n"
        )
        self.write(
            "records/firm.yaml",
            {
                "name": "杭州诚信代账保单服务部",
                "short_name": "诚信保单服务",
                "slogan": "保单有人管，续保不忘记，理赔有人帮",
                "about": about,
                "site_url": "https://demo.baodan.example/",
                "brand": {"primary_color": "#1f5fa8", "accent_color": "#e0a526"},
                "contact": {
                    "phone": "0571-8888 6666",
                    "email": "service@demo.baodan.example",
                    "address": "杭州市西湖区文三路 90 号",
                    "hours": "周一至周五 9:00–17:30，周六 9:00–12:00（法定节假日休息）",
                    "wechat": "诚信代账保单服务",
                },
                "services": [{"title": t, "description": d} for t, d in SERVICES],
                "reminders": {"renewal_days": [90, 60, 30, 7], "alarm_days": [30, 7]},
                "retention_years": 5,
                "demo": True,
            },
        )

    def staff(self) -> None:
        for s in STAFF:
            self.write(f"records/staff/{s['id']}.yaml", {**s, "active": True})

    def insurers(self) -> None:
        self.insurer_list: list[dict] = []
        self.insurer_records: dict[str, dict] = {}
        words = list(FICTIONAL_WORDS)
        self.rng.shuffle(words)
        for pos in range(1, self.size.insurers + 1):
            code = INSURER_ORDER[pos - 1] if pos <= len(INSURER_ORDER) else None
            if code is None:
                code = f"ins-{pos:02d}"
                word = words[(pos - 1) % len(words)]
                kind = "财产险" if pos % 2 == 0 else "人身险"
                if code == C_RATED:
                    kind = "财产险"
                suffix = (
                    ("财产保险股份有限公司", "财险")
                    if kind == "财产险"
                    else ("人寿保险股份有限公司", "人寿")
                )
                name, short = word + suffix[0], word + suffix[1]
                if pos > len(words):
                    name, short = f"{word}{pos}号" + suffix[0], f"{word}{pos}号" + suffix[1]
                hotline = f"400-8{self.rng.randrange(100):02d}-{self.rng.randrange(10000):04d}"
                website, weight = f"https://{code}.example/", 6
                notes = "虚构的保险公司（演示数据）。"
            else:
                name, short, kind, hotline, website, weight = REAL_INSURERS[code]
                notes = None
            record = {
                "code": code,
                "name": name,
                "short_name": short,
                "kind": kind,
                "claims_hotline": hotline,
                "website": website,
                "service_address": self.address(CITIES[0], "office")[0],
                "solvency": self.solvency(code),
            }
            if code == C_RATED:
                notes = "虚构的保险公司（演示数据）。最近一季风险综合评级为 C，不达监管要求：新业务暂不推荐，已有保单到期时提醒客户比较其他公司。"
            if notes:
                record["partner_notes"] = notes
            self.write(f"records/insurers/{code}.yaml", record)
            self.insurer_records[code] = record
            self.insurer_list.append(
                {
                    "code": code,
                    "short": short,
                    "kind": kind,
                    "hotline": hotline,
                    "weight": weight,
                    "prefix": self.policy_prefix(code),
                }
            )

    def solvency(self, code: str) -> list[dict]:
        rng = self.rng
        if code == C_RATED:
            path = [
                ("128.40", "84.15", "BB"),
                ("113.62", "61.30", "B"),
                ("104.18", "52.77", "CCC"),
                ("96.35", "43.08", "C"),
            ]
            return [
                {
                    "quarter": q,
                    "comprehensive_ratio": Decimal(c),
                    "core_ratio": Decimal(k),
                    "rating": r,
                }
                for q, (c, k, r) in zip(QUARTERS, path)
            ]
        quarters = STALE_QUARTERS if code == STALE else QUARTERS
        comp = rng.randint(16000, 30000)
        core_share = rng.uniform(0.55, 0.85)
        rating = rng.choice(["AAA", "AA", "AA", "A", "A", "BBB"])
        out = []
        for q in quarters:
            comp = max(11000, comp + rng.randint(-1200, 1200))
            core = int(comp * core_share) + rng.randint(-300, 300)
            if rng.random() < 0.15:
                rating = rng.choice(["AAA", "AA", "A", "BBB", "BB"])
            out.append(
                {
                    "quarter": q,
                    "comprehensive_ratio": Decimal(comp).scaleb(-2),
                    "core_ratio": Decimal(core).scaleb(-2),
                    "rating": rating,
                }
            )
        return out

    def policy_prefix(self, code: str) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        if code == "picc":
            return "P"
        if code in ("chinalife", "taikang"):
            return ""
        return "".join(self.rng.choice(letters) for _ in range(self.rng.randint(1, 3)))

    # ---- clients ----------------------------------------------------------------------------

    def clients(self) -> None:
        self.client_list: list[_Client] = []
        n = self.size.clients
        n_company = round(n * 0.2) if n >= 3 else 0
        kinds = ["company"] * n_company + ["person"] * (n - n_company)
        self.rng.shuffle(kinds)
        for kind in kinds:
            self.client_list.append(self.company() if kind == "company" else self.person())

    def on_hold(self) -> None:
        """At least one policy on hold after the intake audit, in a firm of 40 policies or more."""
        policies = [p for c in self.client_list for p in c.policies]
        if len(policies) < 40 or any(p["status"] == "on_hold" for p in policies):
            return
        recent = [
            p
            for p in policies
            if p["status"] == "active"
            and not p.get("_special")
            and p["intake"]["received_on"] > self.today - timedelta(days=60)
        ]
        if recent:
            p = self.rng.choice(recent)
            p["status"] = "on_hold"
            add_note(p, self.rng.choice(HOLD_NOTES[p["intake"]["medium"]]))

    def former_clients(self) -> None:
        """A few clients left (retention): after the last policy they handed in, never a test hook.
        At least one in a firm of 20 clients or more."""

        def window(c: _Client) -> tuple[date, date]:
            last = max([p["intake"]["received_on"] for p in c.policies] + [c.since])
            return last + timedelta(days=60), self.today - timedelta(days=30)

        eligible = [c for c in self.client_list if not c.special and window(c)[0] <= window(c)[1]]
        leaving = [c for c in eligible if self.rng.random() < 0.03]
        if not leaving and eligible and len(self.client_list) >= 20:
            leaving = [self.rng.choice(eligible)]
        for c in leaving:
            c.left_on = self.day_between(*window(c))
            data = {}
            for key, value in c.data.items():  # left_on goes right after since
                data[key] = value
                if key == "since":
                    data["left_on"] = c.left_on
            c.data = data
            c.data["consent"]["withdrawn_on"] = c.left_on
            c.data.pop("portal", None)
            c.data.pop("feed", None)
            c.data["notes"] = "客户已终止服务，资料按保留期限保存，期满后删除。"

    def access(self) -> dict:
        return {
            # 256 bits drawn (as the key used to be) keep the rest of the seeded stream as is.
            "portal": {
                "id": self.unique(lambda: self.token(16)),
                "key": new_access_code(self.rng.getrandbits(256)),
            },
            "feed": {"token": self.unique(lambda: self.token(16))},
        }

    def consent(self, since: date, sensitive: bool) -> dict:
        purposes = ["保单保管", "续保提醒"]
        for p in ["理赔协助", "风险评估", "保险咨询", "讲座通知"]:
            if self.rng.random() < 0.7:
                purposes.append(p)
        signed_on, version = self.consent_date(since)
        return {
            "signed_on": signed_on,
            "method": self.rng.choices(["纸质签字", "电子签名", "录音确认"], [5, 4, 1])[0],
            "purposes": purposes,
            "sensitive": sensitive,
            "version": version,
        }

    def consent_date(self, since: date) -> tuple[date, str]:
        """Clients from before the PIPL (in force 2021-11-01) signed in the re-consent campaign."""
        if since < date(2021, 11, 1):
            return self.day_between(date(2021, 11, 1), date(2022, 3, 31)), "2021-11"
        signed = min(self.today, since + timedelta(days=self.rng.randint(0, 3)))
        return signed, "2026-01" if signed >= date(2026, 1, 1) else "2024-03" if signed >= date(
            2024, 3, 1
        ) else "2021-11"

    def since(self) -> date:
        return self.day_between(date(2016, 3, 1), self.today - timedelta(days=25))

    def tier(self) -> str:
        return self.rng.choices("ABC", [2, 5, 3])[0]

    def person(self) -> _Client:
        rng = self.rng
        row = self.city()
        city = row[0]
        sex = rng.choice(["男", "女"])
        birth = self.birth(1950, 2004)
        name = self.person_name(sex, birth)
        me = _Person(name, sex, birth, self.resident_id(city, birth, sex), "本人", self.mobile())
        age = (self.today - birth).days // 365
        occupation, works = rng.choice(OCCUPATIONS) if age < 62 else ("退休", False)
        if age < 24:
            occupation, works = rng.choice(
                [("研究生", False), ("应届毕业生", True), ("软件工程师", True)]
            )
        family = self.family(me, city, age)
        earner = works and (bool(family) or rng.random() < 0.5)
        address, _ = self.address(row, "home")
        since = self.since()
        cid = self.hex_id("c-")
        data = {
            "id": cid,
            "kind": "person",
            "name": name,
            "id_number": me.id_number,
            "sex": sex,
            "mobile": me.mobile,
        }
        if rng.random() < 0.15:
            data["phone"] = self.landline(row[1])
        data.update(
            {
                "address": address,
                "city": city,
                "occupation": occupation,
                "earner": earner,
                "tier": self.tier(),
                "since": since,
                "manager": rng.choices(["wang-fang", "chen-jing"], [4, 1])[0],
            }
        )
        if family:
            data["family"] = [self.member_data(p) for p in family]
        data["consent"] = self.consent(since, rng.random() < 0.88)
        data.update(self.access())
        return _Client(
            cid, "person", name, city, data, since, self_person=me, family=family, address=address
        )

    def member_data(self, p: _Person) -> dict:
        d = {"name": p.name, "relation": p.relation, "id_number": p.id_number}
        if p.mobile:
            d["mobile"] = p.mobile
        if p.dependant:
            d["dependant"] = True
        return d

    def family(self, me: _Person, city: str, age: int) -> list[_Person]:
        rng = self.rng
        out: list[_Person] = []
        spouse = None
        if age >= 26 and rng.random() < 0.78:
            sex = "女" if me.sex == "男" else "男"
            gap = rng.randint(-2, 5) if sex == "男" else -rng.randint(-2, 5)
            birth = self.birth(me.birth.year - gap, me.birth.year - gap)
            spouse = _Person(
                self.person_name(sex, birth),
                sex,
                birth,
                self.resident_id(city, birth, sex),
                "配偶",
                self.mobile() if rng.random() < 0.7 else None,
                rng.random() < 0.15,
            )
            out.append(spouse)
        if spouse and age >= 27:
            father_surname = me.name[0] if me.sex == "男" else spouse.name[0]
            first_child = me.birth.year + rng.randint(24, 34)
            for i in range(rng.choices([0, 1, 2], [2, 6, 3])[0]):
                year = first_child + i * rng.randint(2, 6)
                if year > self.today.year - 1:
                    break
                sex = rng.choice(["男", "女"])
                birth = self.birth(year, year)
                child_age = (self.today - birth).days // 365
                avoid = me.name[1:] + spouse.name[1:]
                out.append(
                    _Person(
                        self.person_name(sex, birth, father_surname, avoid),
                        sex,
                        birth,
                        self.resident_id(city, birth, sex),
                        "子女",
                        self.mobile() if child_age >= 18 and rng.random() < 0.5 else None,
                        child_age < 22,
                    )
                )
        if 28 <= age <= 58 and rng.random() < 0.35:
            for sex in rng.sample(["男", "女"], rng.randint(1, 2)):
                year = me.birth.year - rng.randint(23, 32)
                birth = self.birth(year, year)
                surname = me.name[0] if sex == "男" else None
                out.append(
                    _Person(
                        self.person_name(sex, birth, surname),
                        sex,
                        birth,
                        self.resident_id(city, birth, sex),
                        "父母",
                        self.mobile() if rng.random() < 0.5 else None,
                        (self.today - birth).days // 365 >= 70 and rng.random() < 0.6,
                    )
                )
        return out

    def company(self) -> _Client:
        rng = self.rng
        row = self.city()
        city = row[0]
        industry = rng.choice(INDUSTRIES)
        trade = rng.choice(industry[1])
        name = self.company_name(city, trade)
        address, area = self.address(row, "office" if industry[0] not in ("制造业",) else "plant")
        founded = self.day_between(date(2003, 1, 1), date(2023, 6, 30))
        since = max(founded + timedelta(days=60), self.since())
        since = min(since, self.today - timedelta(days=25))
        legal_sex = rng.choices(["男", "女"], [7, 3])[0]
        legal_rep = self.person_name(legal_sex, self.birth(1960, 1990))
        contacts = [{"name": legal_rep, "title": "总经理", "mobile": self.mobile()}]
        title = rng.choice(["财务经理", "行政主管", "人事经理", "出纳"])
        csex = rng.choice(["男", "女"])
        cname = self.person_name(csex, self.birth(1975, 1998))
        contacts.insert(0, {"name": cname, "title": title, "mobile": self.mobile()})
        code = self.make_uscc(area, founded)
        cid = self.hex_id("c-")
        data = {
            "id": cid,
            "kind": "company",
            "name": name,
            "uscc": code,
            "phone": self.landline(row[1]),
            "address": address,
            "city": city,
            "industry": industry[0],
            "employees": rng.randint(*industry[2]),
            "legal_rep": legal_rep,
            "contacts": contacts,
            "tier": rng.choices("ABC", [4, 5, 1])[0],
            "since": since,
            "manager": rng.choices(["chen-jing", "wang-fang"], [3, 2])[0],
            "consent": self.consent(since, rng.random() < 0.2),
        }
        data.update(self.access())
        return _Client(
            cid,
            "company",
            name,
            city,
            data,
            since,
            industry=industry,
            uscc=code,
            contact=(cname, title),
            address=address,
        )

    # ---- policies ---------------------------------------------------------------------------

    def allocate(self) -> None:
        clients = self.client_list
        if not clients:
            return
        budget = self.size.policies
        persons = [c for c in clients if c.kind == "person"]
        companies = [c for c in clients if c.kind == "company"]
        # Test hooks first, then one of every subcategory, then at least one policy per client.
        if companies and budget >= 1:
            builder = next((c for c in companies if c.industry[0] == "建筑业"), None) or next(
                (c for c in companies if c.industry[0] == "制造业"), companies[0]
            )
            builder.special.append("feb29")
            budget -= 1
        if persons and budget >= 1:
            persons[0].special.append("monthly")
            budget -= 1
        with_parent = next(
            (c for c in persons if any(p.relation == "父母" for p in c.family)), None
        )
        if with_parent and budget >= 1:  # a life policy on a parent: the demo's death claim
            with_parent.special.append("parent_life")
            budget -= 1
        pairs = [(c, s) for c, spec in self.tax.items() for s in spec.subcategories]
        hooks = {
            "feb29": ("engineering", "construction"),
            "monthly": ("health", "medical"),
            "parent_life": ("life", "whole"),
        }
        covered = {hooks[s] for c in clients for s in c.special}
        for cat, sub in pairs:
            if (cat, sub) in covered or budget <= 0:
                continue
            who = SUBS[(cat, sub)][0]
            pool = (
                persons
                if who in ("person", "both") and persons
                else companies
                if who != "person"
                else []
            )
            if not pool:
                continue
            if (
                pool is companies
            ):  # a company whose trade buys this kind of cover, when there is one
                pool = [c for c in companies if cat in c.industry[3]] or companies
            self.rng.choice(pool).forced.append((cat, sub))
            budget -= 1
        for c in clients:
            c.n_policies = len(c.special) + len(c.forced)
        for c in clients:
            if c.n_policies == 0 and budget > 0:
                c.n_policies = 1
                budget -= 1
        weights = [
            (2.2 if c.kind == "company" else 1.0) * {"A": 1.6, "B": 1.0, "C": 0.7}[c.data["tier"]]
            for c in clients
        ]
        for i in self.rng.choices(range(len(clients)), weights, k=max(budget, 0)):
            clients[i].n_policies += 1

    def policies(self) -> None:
        self.allocate()
        for c in self.client_list:
            made = 0
            todo = [("special", s) for s in c.special] + [("forced", p) for p in c.forced]
            while made < c.n_policies:
                if todo:
                    how, what = todo.pop(0)
                else:
                    how, what = "random", self.pick_category(c)
                if how == "special":
                    self.special_policy(c, what)
                    made += 1
                    continue
                cat, sub = what
                chain = (
                    made + 2 <= c.n_policies
                    and not todo
                    and self.rng.random() < 0.2
                    and (cat, sub) not in LONG_TERM
                    and cat != "engineering"
                    and sub not in ("travel", "surety")
                )
                made += self.policy(c, cat, sub, chain)

    def pick_category(self, c: _Client) -> tuple[str, str]:
        rng = self.rng
        if c.kind == "company":
            weights = c.industry[3]
        else:
            weights = dict(PERSON_CATEGORIES)
            age = (self.today - c.self_person.birth).days // 365
            if age > 60:
                weights["life"] = 4
            if age < 28:
                weights["auto"] = 10
        cats = [k for k in weights if k in self.tax]
        cat = rng.choices(cats, [weights[k] for k in cats])[0]
        subs = [s for s in self.tax[cat].subcategories if SUBS[(cat, s)][0] in ("both", c.kind)]
        if not subs:
            subs = list(self.tax[cat].subcategories)
        sw = [SUBS[(cat, s)][1] for s in subs]
        if c.kind == "company" and cat == "liability":
            boost = {
                "制造业": "product",
                "住宿和餐饮业": "public",
                "文化、体育和娱乐业": "public",
            }.get(c.industry[0])
            sw = [w * (4 if s == boost else 1) for s, w in zip(subs, sw)]
        return cat, rng.choices(subs, sw)[0]

    def insurer_for(self, cat: str, sub: str) -> dict:
        if (cat, sub) in LONG_TERM:
            kinds = {"人身险"}
        elif cat in ("health", "accident"):
            kinds = {"人身险", "财产险"}
        else:
            kinds = {"财产险"}
        pool = [i for i in self.insurer_list if i["kind"] in kinds] or self.insurer_list
        return self.rng.choices(pool, [i["weight"] for i in pool])[0]

    def registry_no(self, received: date) -> str:
        def draw() -> str:
            code = "".join(self.rng.choice(CROCKFORD) for _ in range(REGISTRY_CODE_LENGTH))
            return registry_no(received.year, code)

        return self.unique(draw)

    def policy_no(self, insurer: dict, cat: str, sub: str, effective: date, city: str) -> str:
        area = next(r for r in CITIES if r[0] == city)[4][0][0][:4] + "00"
        prefix = insurer["prefix"]
        if insurer["code"] == "picc":
            prefix = {"compulsory": "PDAA", "commercial": "PDZA"}.get(
                sub, "PQ" + "ABCDEFGHJK"[hash_cat(cat)] + "A"
            )
        length = self.rng.randint(18, 22) if prefix else 19
        serial_len = length - len(prefix) - 4 - 6

        def make():
            return (
                f"{prefix}{effective.year}{area}{self.rng.randrange(10**serial_len):0{serial_len}d}"
            )

        return self.unique(make)

    def party(self, p: _Person) -> dict:
        return {"name": p.name, "relation": p.relation, "id_number": p.id_number}

    def company_party(self, c: _Client) -> dict:
        return {"name": c.name, "relation": "本人", "uscc": c.uscc}

    def insured_person(self, c: _Client, cat: str, sub: str) -> _Person:
        rng = self.rng
        options = [(c.self_person, 60)]
        for p in c.family:
            age = (self.today - p.birth).days // 365
            if p.relation == "配偶":
                options.append((p, 14))
            elif p.relation == "子女" and sub not in (
                "term",
                "disability_income",
                "long_term_care",
            ):
                options.append((p, 16 if age < 18 else 4))
            elif p.relation == "父母" and (
                sub in ("medical", "personal_accident") or age < 72 and sub in ("term", "whole")
            ):
                options.append((p, 8))
        return rng.choices([o[0] for o in options], [o[1] for o in options])[0]

    def beneficiaries(self, c: _Client, insured: _Person) -> list[dict]:
        """Named beneficiaries, relation to the insured; shares sum to 100."""
        rng = self.rng
        me = c.self_person
        spouse = next((p for p in c.family if p.relation == "配偶"), None)
        kids = [p for p in c.family if p.relation == "子女"]
        people: list[tuple[_Person, str]] = []
        if insured is me:
            if spouse:
                people.append((spouse, "配偶"))
            people += [(k, "子女") for k in kids]
            if not people:
                people += [(p, "父母") for p in c.family if p.relation == "父母"]
        elif insured.relation == "配偶":
            people = [(me, "配偶")] + [(k, "子女") for k in kids]
        elif insured.relation == "子女":
            people = [(me, "父母")] + ([(spouse, "父母")] if spouse else [])
        elif insured.relation == "父母":
            people = [(me, "子女")]
        if not people:
            return []
        people = people[: rng.randint(1, min(3, len(people)))]
        shares = {
            1: [100],
            2: rng.choice([[50, 50], [60, 40], [70, 30]]),
            3: [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")],
        }[len(people)]
        if len(people) == 3 and rng.random() < 0.5:
            shares = [40, 30, 30]
        return [
            {"name": p.name, "relation": rel, "id_number": p.id_number, "share": s}
            for (p, rel), s in zip(people, shares)
        ]

    def annual_dates(self, ongoing: bool = False) -> tuple[date, date]:
        """A one-year term: about a third end in the next 90 days, some ended already."""
        r = self.rng.random()
        if r < 0.12 and not ongoing:
            delta = -self.rng.randint(1, 330)
        elif r < 0.45:
            delta = self.rng.randint(1, 90)
        else:
            delta = self.rng.randint(91, 360)
        terminates = self.today + timedelta(days=delta)
        return add_years(terminates + timedelta(days=1), -1), terminates

    def intake(self, c: _Client, effective: date, prior: dict | None = None) -> dict:
        rng = self.rng
        received = effective + timedelta(days=rng.randint(-20, 25))
        if received < c.since:
            received = c.since + timedelta(days=rng.randint(0, 20))
        if prior and received < prior["intake"]["received_on"]:
            received = prior["intake"]["received_on"] + timedelta(days=rng.randint(1, 5))
        received = min(received, self.today - timedelta(days=rng.randint(0, 3)))
        received = max(received, c.since)
        paper = rng.random() < (0.65 if received.year < 2020 else 0.35)
        if c.kind == "person":
            spouse = next((p for p in c.family if p.relation == "配偶"), None)
            choices = [
                ("客户本人", 6),
                ("保险代理人", 2),
                ("保险公司寄送电子保单", 0 if paper else 3),
            ]
            if spouse:
                choices.append((f"客户配偶{spouse.name}", 2))
        else:
            choices = [
                (f"{c.contact[0]}（{c.contact[1]}）", 6),
                ("保险经纪人", 2),
                ("保险公司寄送电子保单", 0 if paper else 3),
            ]
        who = rng.choices([x[0] for x in choices], [x[1] for x in choices])[0]
        data = {
            "received_on": received,
            "received_by": rng.choices(["wang-fang", "chen-jing", "li-qiang"], [14, 5, 1])[0],
            "from_whom": who,
            "medium": "paper" if paper else "electronic",
        }
        if paper:
            data["original_location"] = f"档案柜{rng.choice('ABCD')}-{rng.randint(1, 24):02d}"
        return data

    def vehicle(self, c: _Client) -> dict:
        rng = self.rng
        if c.kind == "company" and c.industry[0].startswith("交通运输") and rng.random() < 0.7:
            model, wmi, ev = TRUCK
        else:
            model, wmi, ev = rng.choice(CARS)
        prefix = rng.choice(next(r for r in CITIES if r[0] == c.city)[2])

        def make_plate():
            if ev:  # new-energy plates: D or F and five digits
                return prefix + rng.choice("DF") + f"{rng.randrange(10**5):05d}"
            return prefix + "".join(
                rng.choice(PLATE_LETTERS if i == 0 and rng.random() < 0.4 else "0123456789")
                for i in range(5)
            )

        plate = self.unique(make_plate)
        if not ev and rng.random() < 0.5:
            plate = plate[:2] + "·" + plate[2:]  # written both ways on paper policies

        def make_vin():
            body = wmi + "".join(rng.choice(VIN_CHARS) for _ in range(5))
            year_code = rng.choice("GHJKLMNPRS")  # 2016–2025
            rest = year_code + rng.choice(VIN_CHARS) + f"{rng.randrange(10**6):06d}"
            partial = body + "0" + rest
            return body + _vin_check(partial) + rest

        value = (
            rng.choice([9, 12, 15, 18, 22, 26, 32, 40]) * 10000
            if wmi != "LZZ"
            else rng.randint(25, 45) * 10000
        )
        v = {"plate": plate, "vin": self.unique(make_vin), "model": model, "value": value}
        c.vehicles.append(v)
        return v

    def add_policy(self, c: _Client, p: dict) -> dict:
        c.policies.append(p)
        return p

    def policy(self, c: _Client, cat: str, sub: str, chain: bool) -> int:
        """Make one policy (two when ``chain``: last year's term, renewed). Returns how many."""
        rng = self.rng
        insurer = self.insurer_for(cat, sub)
        core = self.terms(c, cat, sub, ongoing=chain)
        effective, terminates = core["effective"], core["terminates"]
        made = 1
        prior = None
        if chain:
            prev_eff = add_years(effective, -1)
            prev_ins = insurer if rng.random() < 0.75 else self.insurer_for(cat, sub)
            prior = self.assemble(
                c,
                cat,
                sub,
                prev_ins,
                {
                    **core,
                    "effective": prev_eff,
                    "terminates": effective - timedelta(days=1),
                    "premium": _money(
                        int(self.to_cents(core["premium"]) * rng.uniform(0.92, 1.05))
                    ),
                },
                status="renewed",
            )
            made = 2
        status = "active"
        if terminates and terminates < self.today:
            once = (cat, sub) in LONG_TERM or cat == "engineering" or sub in ("travel", "surety")
            status = "terminated" if once else rng.choices(["lapsed", "terminated"], [6, 4])[0]
        elif (cat, sub) in LONG_TERM and rng.random() < 0.07:
            status = rng.choice(["lapsed", "cancelled"])
        policy = self.assemble(c, cat, sub, insurer, core, status=status, prior=prior)
        if (
            status == "active"
            and rng.random() < 0.025
            and policy["intake"]["received_on"] > self.today - timedelta(days=60)
        ):
            policy["status"] = "on_hold"
            add_note(policy, rng.choice(HOLD_NOTES[policy["intake"]["medium"]]))
        elif status == "lapsed" and (cat, sub) in LONG_TERM:
            add_note(policy, "续期保费逾期未缴，已过 60 天宽限期，保单效力中止；两年内可申请复效。")
        elif status == "cancelled":
            add_note(policy, "客户申请退保，已领取现金价值。")
        elif status == "lapsed":
            add_note(policy, "到期前多次提醒，客户决定不再续保。")
        elif status == "terminated" and sub != "travel":
            add_note(
                policy,
                "保险期满，合同终止。"
                if (cat, sub) in LONG_TERM or cat == "engineering"
                else "保险期满，客户已自行在其他渠道续保，新保单未交本公司保管。",
            )
        return made

    @staticmethod
    def to_cents(value) -> int:
        return int(Decimal(value) * 100)

    def assemble(
        self,
        c: _Client,
        cat: str,
        sub: str,
        insurer: dict,
        core: dict,
        status: str,
        prior: dict | None = None,
    ) -> dict:
        rng = self.rng
        intake = self.intake(c, core["effective"], prior)
        product = insurer["short"] + rng.choice(PRODUCTS[(cat, sub)])
        if core.get("product"):
            product = insurer["short"] + core["product"]
        p = {
            "registry_no": self.registry_no(intake["received_on"]),
            "category": cat,
            "subcategory": sub,
            "insurer": insurer["code"],
            "product": product,
            "policy_no": self.policy_no(insurer, cat, sub, core["effective"], c.city),
            "status": status,
            "policyholder": self.company_party(c)
            if c.kind == "company"
            else self.party(c.self_person),
            "insured": core["insured"],
        }
        if core.get("beneficiaries"):
            p["beneficiaries"] = core["beneficiaries"]
        if core.get("statutory"):
            p["statutory_beneficiary"] = True
        p["sum_insured"] = core["sum_insured"]
        p["premium"] = core["premium"]
        p["payment"] = core["payment"]
        p["effective"] = core["effective"]
        if core["terminates"]:
            p["terminates"] = core["terminates"]
        if core.get("riders"):
            p["riders"] = core["riders"]
        if core.get("vehicle"):
            p["vehicle"] = core["vehicle"]
        if core.get("insured_property"):
            p["insured_property"] = core["insured_property"]
        p["intake"] = intake
        if prior:
            p["renewal_of"] = prior["registry_no"]
        if core.get("notes"):
            p["notes"] = core["notes"]
        # internal, stripped before writing
        p["_insured_person"] = core.get("_insured_person")
        p["_hotline"] = insurer["hotline"]
        p["_short"] = insurer["short"]
        return self.add_policy(c, p)

    def terms(
        self, c: _Client, cat: str, sub: str, ongoing: bool = False, insured: _Person | None = None
    ) -> dict:
        """Everything that depends on the category: parties, money, term, payment."""
        rng = self.rng
        core: dict = {"riders": []}
        pay_method = (
            rng.choice(["银行自动扣款", "银行自动扣款", "微信支付", "支付宝"])
            if c.kind == "person"
            else "对公转账"
        )
        # Parties.
        if c.kind == "company":
            if cat == "accident":
                n = c.data["employees"]
                core["insured"] = [
                    {"name": f"在职员工 {n} 人（名单见保单附件）", "relation": "雇员"}
                ]
            else:
                core["insured"] = [self.company_party(c)]
        else:
            person = insured or (
                self.insured_person(c, cat, sub)
                if cat in ("life", "health", "accident")
                else c.self_person
            )
            core["_insured_person"] = person
            core["insured"] = [self.party(person)]
        insured = core.get("_insured_person")
        key = (cat, sub)

        def age_at(day: date) -> int:
            return max(0, (day - insured.birth).days // 365) if insured else 40

        if key in LONG_TERM:
            earliest = max(
                date(2008, 1, 1),
                insured.birth + timedelta(days=30),
                c.since - timedelta(days=365 * 8),
            )
            effective = self.day_between(earliest, self.today - timedelta(days=10))
            age = age_at(effective)
            years = None
            terminates = None
            if sub == "term":
                years = rng.choice([20, 30])
                terminates = add_years(effective, years) - timedelta(days=1)
                si = rng.choice([50, 100, 150, 200, 300]) * 10000
                rate = 0.0008 + 0.00012 * max(0, age - 25)
                pay_years = years
            elif sub == "whole":
                si = rng.choice([30, 50, 100, 150, 200]) * 10000
                pay_years = rng.choice([10, 20])
                rate = (0.012 + 0.0004 * age) * (20 / pay_years) ** 0.8
            elif sub == "endowment":
                years = rng.choice([20, 25, 30])
                terminates = add_years(effective, years) - timedelta(days=1)
                si = rng.choice([10, 20, 30, 50]) * 10000
                pay_years = rng.choice([5, 10])
                rate = 0.45 / pay_years
            elif sub == "annuity":
                pay_years = rng.choice([3, 5, 10])
                premium_y = rng.choice([1, 2, 3, 5, 10]) * 10000
                si = _yuan(premium_y * pay_years * rng.uniform(0.05, 0.09), 100)
                rate = premium_y / si
                if insured.relation == "子女" and age <= 15:
                    terminates = add_years(insured.birth, 25)
                    core["product"] = "教育年金保险"
                else:
                    core["product"] = "养老年金保险"
            elif sub == "critical_illness":
                si = rng.choice([30, 50, 60, 80, 100]) * 10000
                pay_years = rng.choice([20, 30])
                rate = (0.008 + 0.0003 * age) * (30 / pay_years) ** 0.7
                if rng.random() < 0.35:
                    terminates = add_years(insured.birth, 70)
                    if terminates <= effective:
                        terminates = None
            elif sub == "long_term_care":
                si = rng.choice([10, 20, 30, 50]) * 10000
                pay_years = 20
                rate = 0.012 + 0.0003 * age
            else:  # disability income: annual benefit, until 60
                si = rng.choice([6, 10, 12, 20]) * 10000
                terminates = add_years(insured.birth, 60)
                if terminates <= effective + timedelta(days=365 * 5):
                    terminates = add_years(effective, 10) - timedelta(days=1)
                pay_years = None
                rate = 0.012 + 0.0002 * age
            premium_cents = int(si * rate * rng.uniform(0.9, 1.1) * 100)
            freq = "annual" if rng.random() < 0.85 else rng.choice(["monthly", "semiannual"])
            if freq == "monthly":
                premium_cents //= 12
            elif freq == "semiannual":
                premium_cents //= 2
            if (
                sub in ("term", "whole", "endowment", "annuity")
                and pay_years
                and pay_years <= 3
                and rng.random() < 0.3
            ):
                freq, premium_cents, pay_years = "single", premium_cents * pay_years, None
            core["payment"] = {
                "frequency": freq,
                **({"years": pay_years} if pay_years else {}),
                "method": pay_method,
            }
            core["sum_insured"] = si
            core["premium"] = _money(premium_cents)
            core["effective"], core["terminates"] = effective, terminates
            if cat == "life":
                if rng.random() < 0.35:
                    core["statutory"] = True
                else:
                    core["beneficiaries"] = self.beneficiaries(c, insured)
                    if not core["beneficiaries"]:
                        core["statutory"] = True
            if cat in ("life", "health") and rng.random() < 0.3:
                core["riders"].append(
                    {
                        "name": "附加意外伤害医疗保险",
                        "sum_insured": rng.choice([1, 2, 5]) * 10000,
                        "premium": _money(rng.randint(60, 240) * 100),
                    }
                )
            if (
                sub in ("critical_illness", "whole")
                and rng.random() < 0.3
                and insured.relation == "子女"
            ):
                core["riders"].append(
                    {
                        "name": "附加投保人豁免保险费重大疾病保险",
                        "sum_insured": _money(premium_cents * (pay_years or 1)),
                        "premium": _money(premium_cents // 30),
                    }
                )
            return core

        # One-year (or trip, or project) terms.
        effective, terminates = self.annual_dates(ongoing)
        freq, years = "single", None
        if sub == "travel":
            start = self.day_between(
                max(c.since, self.today - timedelta(days=700)), self.today + timedelta(days=40)
            )
            effective, terminates = start, start + timedelta(days=rng.randint(5, 20))
            si = rng.choice([30, 50, 100]) * 10000
            premium = rng.randint(60, 320) * 100
            core["notes"] = "行程：" + rng.choice(
                [
                    "日本自由行",
                    "泰国亲子游",
                    "欧洲多国游（申根签证用）",
                    "新疆自驾游",
                    "澳大利亚探亲",
                ]
            )
        elif sub == "personal_accident":
            si = rng.choice([20, 50, 100]) * 10000
            premium = rng.randint(150, 600) * 100
            core["riders"].append(
                {
                    "name": "附加意外伤害医疗保险",
                    "sum_insured": rng.choice([2, 5]) * 10000,
                    "premium": _money(rng.randint(30, 120) * 100),
                }
            )
        elif sub == "group_accident":
            n = c.data["employees"]
            per = rng.choice([30, 50, 100]) * 10000
            si = per * n
            premium = n * rng.randint(90, 260) * 100
            core["notes"] = f"每人保额 {_wan(per)}，共 {n} 人；人员变动时按月批改。"
        elif sub == "medical":
            age = age_at(effective)
            si = rng.choice([200, 300, 400, 600]) * 10000
            premium = int((150 + 3 * age + max(0, age - 45) * 60) * rng.uniform(0.9, 1.2) * 100)
            if rng.random() < 0.12:
                freq, premium = "monthly", premium // 12
        elif cat == "auto":
            v = next((v for v in c.vehicles if sub not in v.get("subs", {})), None) or self.vehicle(
                c
            )
            other = next(iter(v.get("subs", {}).values()), None)
            if other:
                effective, terminates = other
            v.setdefault("subs", {})[sub] = (effective, terminates)
            core["vehicle"] = {"plate": v["plate"], "vin": v["vin"]}
            if sub == "compulsory":
                si = 200000
                premium = (
                    rng.choice([95000, 85500, 76000, 66500, 114000])
                    if v["vin"][:3] != "LZZ"
                    else 300000
                )
                core["notes"] = f"车辆：{v['model']}；含车船税。"
            else:
                si = v["value"] * rng.randint(70, 100) // 100 // 100 * 100
                premium = int((1200 + v["value"] * 0.012) * rng.uniform(0.8, 1.2) * 100)
                third = rng.choice([100, 200, 300]) * 10000
                core["riders"].append(
                    {
                        "name": "机动车第三者责任保险",
                        "sum_insured": third,
                        "premium": _money(int((700 + third / 2500) * rng.uniform(0.9, 1.1) * 100)),
                    }
                )
                core["riders"].append(
                    {
                        "name": "机动车车上人员责任保险（驾驶人）",
                        "sum_insured": 10000,
                        "premium": _money(rng.randint(25, 60) * 100),
                    }
                )
                if rng.random() < 0.5:
                    core["riders"].append(
                        {
                            "name": "附加医保外医疗费用责任险",
                            "sum_insured": 20000,
                            "premium": _money(rng.randint(30, 80) * 100),
                        }
                    )
                core["notes"] = f"车辆：{v['model']}，新车购置价 {_wan(v['value'])}。"
        elif cat in ("commercial_property", "home", "engineering"):
            if cat == "home":
                declared = rng.choice([80, 100, 150, 200, 300]) * 10000
                premium_rate = 0.0004
                core["insured_property"] = {
                    "address": c.address,
                    "declared_value": declared,
                    "description": "房屋主体及室内装潢、家具家电等室内财产",
                }
            elif cat == "commercial_property":
                declared = rng.choice([200, 350, 500, 800, 1200, 2000, 3500, 5000]) * 10000
                premium_rate = {"basic": 0.0006, "comprehensive": 0.0009, "all_risks": 0.0013}[sub]
                addr = (
                    c.address
                    if rng.random() < 0.6
                    else self.address(next(r for r in CITIES if r[0] == c.city), "plant")[0]
                )
                core["insured_property"] = {
                    "address": addr,
                    "declared_value": declared,
                    "description": {
                        "制造业": "厂房、机器设备及存货",
                        "批发和零售业": "仓库及库存商品",
                        "住宿和餐饮业": "门店装修、厨房设备及原材料",
                        "交通运输、仓储和邮政业": "仓库、装卸设备及代管货物",
                        "建筑业": "办公用房、施工机具及材料",
                    }.get(c.industry[0], "办公室装修、办公设备及电子设备"),
                }
            else:
                declared = rng.choice([500, 800, 1500, 3000, 6000, 12000]) * 10000
                premium_rate = 0.0018 if sub == "construction" else 0.0012
                start = self.day_between(
                    self.today - timedelta(days=540), self.today - timedelta(days=20)
                )
                effective, terminates = (
                    start,
                    add_years(start, rng.choice([1, 2, 3])) - timedelta(days=1),
                )
                site = self.address(next(r for r in CITIES if r[0] == c.city), "site")[0]
                what = rng.choice(
                    ["综合楼新建工程", "厂房扩建工程", "市政道路改造工程", "生产线设备安装工程"]
                )
                core["insured_property"] = {
                    "address": site,
                    "declared_value": declared,
                    "description": f"{what}（合同总价 {_wan(declared)}）",
                }
            si = declared
            if rng.random() < 0.3:
                si = declared * rng.randint(50, 85) // 100 // 10000 * 10000 or declared
            premium = int(si * premium_rate * rng.uniform(0.85, 1.15) * 100)
            if rng.random() < 0.15 and cat != "engineering":
                core["riders"].append(
                    {
                        "name": "附加盗抢险",
                        "sum_insured": _yuan(si * 0.1, 10000),
                        "premium": _money(int(si * 0.1 * 0.002 * 100)),
                    }
                )
        elif cat == "liability":
            if sub == "employer":
                n = c.data["employees"]
                per = rng.choice([50, 80, 100]) * 10000
                si = per * n
                premium = n * rng.randint(150, 600) * 100
                core["notes"] = f"每人死亡伤残赔偿限额 {_wan(per)}，共 {n} 人。"
            elif sub == "public":
                si = rng.choice([100, 200, 300, 500]) * 10000
                premium = int(si * rng.uniform(0.001, 0.003) * 100)
            else:
                si = rng.choice([200, 500, 1000]) * 10000
                premium = int(si * rng.uniform(0.0015, 0.004) * 100)
        elif cat == "cargo":
            si = rng.choice([50, 100, 200, 500, 1000, 2000]) * 10000
            premium = int(
                si * (0.0008 if sub == "domestic" else 0.0015) * rng.uniform(0.8, 1.3) * 100
            )
            core["notes"] = "预约统保协议：年度累计保额，按月申报运输货物。"
        elif cat == "credit_surety":
            if sub == "credit":
                si = rng.choice([100, 300, 500, 1000, 2000]) * 10000
                premium = int(si * rng.uniform(0.003, 0.008) * 100)
                core["notes"] = "买方信用限额合计，承保国内赊销应收账款。"
            else:
                si = rng.choice([50, 100, 200, 500]) * 10000
                premium = int(si * rng.uniform(0.008, 0.015) * 100)
                start = self.day_between(
                    self.today - timedelta(days=400), self.today - timedelta(days=5)
                )
                effective, terminates = (
                    start,
                    add_years(start, rng.choice([1, 2])) - timedelta(days=1),
                )
                if c.industry[0] == "建筑业":
                    core["product"], core["notes"] = (
                        "工程履约保证保险",
                        "工程履约保函，受益人为发包方。",
                    )
                elif c.industry[0] == "批发和零售业":
                    core["product"], core["notes"] = (
                        "关税保证保险",
                        "进口货物先放行后缴税，受益人为海关。",
                    )
                else:
                    core["product"], core["notes"] = (
                        "履约保证保险",
                        "大额供货合同的履约保证，受益人为采购方。",
                    )
        else:
            raise AssertionError((cat, sub))
        if c.kind == "company" and freq == "single" and premium > 3000000 and rng.random() < 0.5:
            freq = rng.choice(["quarterly", "semiannual"])
            premium = premium // (4 if freq == "quarterly" else 2)
        core["sum_insured"] = si
        core["premium"] = _money(premium)
        core["payment"] = {
            "frequency": freq,
            **({"years": years} if years else {}),
            "method": pay_method,
        }
        core["effective"], core["terminates"] = effective, terminates
        return core

    def special_policy(self, c: _Client, what: str) -> None:
        if what == "parent_life":
            parent = next(p for p in c.family if p.relation == "父母")
            core = self.terms(c, "life", "whole", insured=parent)
            core["effective"] = self.day_between(date(2012, 1, 1), date(2019, 12, 31))
            insurer = self.insurer_for("life", "whole")
            self.assemble(c, "life", "whole", insurer, core, status="active")["_special"] = True
        elif what == "feb29":
            insurer = next(
                (i for i in self.insurer_list if i["code"] == "picc"), None
            ) or self.insurer_for("engineering", "construction")
            c.since = min(c.since, date(2023, 11, 1))
            c.data["since"] = c.since
            c.data["consent"]["signed_on"], c.data["consent"]["version"] = self.consent_date(
                c.since
            )
            declared = 68000000
            core = {
                "insured": [self.company_party(c)],
                "sum_insured": declared,
                "premium": _money(2856000),
                "payment": {"frequency": "annual", "method": "对公转账"},
                "effective": date(2024, 3, 1),
                "terminates": date(2028, 2, 29),
                "insured_property": {
                    "address": self.address(next(r for r in CITIES if r[0] == c.city), "site")[0],
                    "declared_value": declared,
                    "description": f"产业园综合楼新建工程（合同总价 {_wan(declared)}）",
                },
                "notes": "工期 48 个月，保险期间 2024-03-01 至 2028-02-29；保费按年分期缴付，每年 3 月 1 日前缴清。",
                "product": "建筑工程一切险",
            }
            self.assemble(c, "engineering", "construction", insurer, core, status="active")[
                "_special"
            ] = True
        else:
            insurer = next(
                (i for i in self.insurer_list if i["code"] == "pingan"), None
            ) or self.insurer_for("health", "medical")
            c.since = min(c.since, date(2025, 12, 20))
            c.data["since"] = c.since
            c.data["consent"]["signed_on"], c.data["consent"]["version"] = self.consent_date(
                c.since
            )
            core = {
                "insured": [self.party(c.self_person)],
                "_insured_person": c.self_person,
                "sum_insured": 4000000,
                "premium": Decimal("268.50"),
                "payment": {"frequency": "monthly", "method": "银行自动扣款"},
                "effective": date(2026, 1, 31),
                "terminates": date(2027, 1, 30),
                "notes": "按月扣费：每月 31 日扣款，小月在月末最后一天扣款（2 月为 28 日），共 12 期。",
                "product": "百万医疗保险（月缴版）",
            }
            self.assemble(c, "health", "medical", insurer, core, status="active")["_special"] = True

    def sensitive_consent(self) -> None:
        """A client whose health policy the firm keeps signed the separate consent for sensitive
        information (PIPL art. 29) when handing it in; former clients withdrew theirs."""
        for c in self.client_list:
            if not c.left_on and any(p["category"] == "health" for p in c.policies):
                c.data["consent"]["sensitive"] = True

    # ---- claims -----------------------------------------------------------------------------

    def claims(self) -> None:
        rng = self.rng
        by_type: dict[str, list[tuple[_Client, dict]]] = {
            t: [] for t in ("medical", "accident", "death", "property", "auto")
        }
        for c in self.client_list:
            if c.left_on:
                continue
            for p in c.policies:
                if p["status"] in ("on_hold", "cancelled") or p[
                    "effective"
                ] > self.today - timedelta(days=3):
                    continue
                if p["status"] == "lapsed" and (p["category"], p["subcategory"]) in LONG_TERM:
                    continue
                t = claim_type(p)
                if t == "death" and (
                    p["_insured_person"] is None or p["_insured_person"].relation != "父母"
                ):
                    t = None
                if t:
                    by_type[t].append((c, p))
        seasoned = {
            t: [x for x in pool if x[1]["effective"] <= self.today - timedelta(days=150)]
            for t, pool in by_type.items()
        }  # old enough for a claim to have run its course
        weights = {"medical": 35, "auto": 25, "property": 15, "accident": 20, "death": 3}
        types = [t for t in weights if by_type[t]]
        if not types:
            return
        plan = []
        for i in range(self.size.claims):
            if i == 1 and by_type["death"]:
                plan.append("death")
            else:
                plan.append(rng.choices(types, [weights[t] for t in types])[0])
        for i, t in enumerate(plan):
            if i == 0:
                outcome = "dispute"
            else:
                outcome = rng.choices(
                    [
                        "reported",
                        "collecting",
                        "submitted",
                        "under_review",
                        "paid",
                        "paid_closed",
                        "partly_closed",
                        "refused_closed",
                        "dispute",
                    ],
                    [6, 12, 9, 10, 8, 30, 12, 5, 1],
                )[0]
            if t == "death":
                outcome = (
                    "paid_closed"
                    if outcome not in ("reported", "collecting", "submitted", "under_review")
                    else outcome
                )
            pool = by_type[t]
            if outcome in ("paid", "paid_closed", "partly_closed", "refused_closed", "dispute"):
                pool = seasoned[t] or pool
            c, p = rng.choice(pool)
            if t == "death" and any(
                cl["type"] == "death" and cl["policy"] == p["registry_no"] for cl in c.claims
            ):
                t = "medical" if by_type["medical"] else types[0]  # one death per policy
                c, p = rng.choice(by_type[t])
            self.claim(c, p, t, outcome)
            if t == "death" and outcome == "paid_closed" and c.claims[-1]["_stage"] == "closed":
                p["status"] = "terminated"
                add_note(p, "被保险人身故，身故保险金已赔付，合同终止。")

    def claim(self, c: _Client, p: dict, t: str, outcome: str) -> None:
        rng = self.rng
        stages = ["reported", "collecting", "submitted", "under_review"]
        final = {
            "paid": ["paid"],
            "paid_closed": ["paid", "closed"],
            "partly_closed": ["partly_paid", "closed"],
            "refused_closed": ["refused", "closed"],
            "dispute": ["refused", "dispute"],
        }
        if outcome in final:
            stages = stages + final[outcome]
        else:
            stages = stages[: stages.index(outcome) + 1]
        gaps = {
            "reported": 0,
            "collecting": rng.randint(0, 4),
            "submitted": rng.randint(5, 25),
            "under_review": rng.randint(1, 5),
            "paid": rng.randint(5, 30),
            "partly_paid": rng.randint(10, 35),
            "refused": rng.randint(10, 40),
            "closed": rng.randint(1, 10),
            "dispute": rng.randint(3, 15),
        }
        total = sum(gaps[s] for s in stages)
        report_lag = rng.randint(0, 6) if t != "death" else rng.randint(5, 20)
        window_end = min(p.get("terminates") or self.today, self.today) - timedelta(
            days=total + report_lag
        )
        if window_end < p["effective"]:
            # too little time for this outcome: keep only the stages that fit
            window_end = min(p.get("terminates") or self.today, self.today)
            stages, total, report_lag = ["reported"], 0, 0
        recent = outcome in ("reported", "collecting", "submitted", "under_review")
        lo = max(p["effective"], window_end - timedelta(days=45 if recent else 700))
        incident = self.day_between(lo, window_end)
        reported = incident + timedelta(days=report_lag)
        day = reported
        person = p["_insured_person"]
        hospital = rng.choice(HOSPITALS[c.city])
        desc, items, claimed = self.claim_story(c, p, t, person, hospital)
        stage_list = []
        for s in stages:
            day = day + timedelta(days=gaps[s])
            stage_list.append({"stage": s, "date": day})
        paid = None
        for s in stage_list:
            note = self.stage_note(s["stage"], t, claimed, p)
            if s["stage"] == "paid":
                paid = (
                    claimed
                    if t == "death"
                    else _money(self.to_cents(claimed) * rng.randint(92, 100) // 100)
                )
                note = f"保险公司赔付 {_wan(paid)}，已到账客户银行卡"
            elif s["stage"] == "partly_paid":
                paid = _money(self.to_cents(claimed) * rng.randint(40, 85) // 100)
                note = f"部分费用不在保险责任内（自费药、免赔额），赔付 {_wan(paid)}"
            if note:
                s["note"] = note
        last_stage = stage_list[-1]["stage"]
        order = ["reported", "collecting", "submitted"]
        reached = max(
            (order.index(s["stage"]) for s in stage_list if s["stage"] in order), default=0
        )
        submitted_on = next((s["date"] for s in stage_list if s["stage"] == "submitted"), None)
        materials = []
        for item, required in items:
            m = {"item": item}
            if reached >= 2 or (reached == 1 and rng.random() < 0.55):
                m["received_on"] = self.day_between(
                    reported, submitted_on or min(self.today, reported + timedelta(days=5))
                )
            if not required:
                m["required"] = False
            materials.append(m)
        cid = self.hex_id("cl-")
        claim = {
            "id": cid,
            "policy": p["registry_no"],
            "type": t,
            "incident_date": incident,
            "reported_on": reported,
            "description": desc,
            "amount_claimed": claimed,
        }
        if paid is not None:
            claim["amount_paid"] = paid
        if submitted_on:
            claim["insurer_claim_no"] = self.unique(
                lambda: f"LP{submitted_on.year}{rng.randrange(10**12):012d}"
            )
            title = rng.choice(["先生", "女士"])
            claim["insurer_contact"] = (
                f"{p['_short']}理赔专员 {self.surname()}{title}，{p['_hotline']}"
            )
        claim["handler"] = rng.choices(["li-qiang", "wang-fang"], [9, 1])[0]
        claim["stages"] = stage_list
        claim["materials"] = materials
        claim["_stage"] = last_stage
        claim["_date"] = stage_list[-1]["date"]
        c.claims.append(claim)

    def claim_story(self, c: _Client, p: dict, t: str, person: _Person | None, hospital: str):
        rng = self.rng
        who = person.name if person else c.name
        if t == "medical":
            illness = rng.choice(
                ["急性阑尾炎", "肺炎", "腰椎间盘突出", "甲状腺结节", "胆囊结石", "骨折复位术后"]
            )
            days = rng.randint(3, 12)
            desc = f"被保险人{who}因{illness}在{hospital}住院治疗 {days} 天。"
            claimed = _money(rng.randint(3000, 80000) * 100 + rng.randint(0, 99))
        elif t == "accident":
            if p["category"] == "liability":
                worker = self.person_name(rng.choice(["男", "女"]), self.birth(1970, 2000))
                desc = f"员工{worker}在工作中{rng.choice(['从货架跌落', '被机器夹伤手指', '搬运货物时扭伤腰部'])}，送{hospital}治疗。"
            else:
                desc = (
                    f"被保险人{who}{rng.choice(['在小区楼梯摔倒', '骑电动自行车途中与行人相撞', '打篮球时', '雨天路滑摔倒'])}，"
                    f"{rng.choice(['右腿胫骨骨折', '左手腕骨折', '脚踝韧带撕裂', '面部擦伤缝合'])}，在{hospital}治疗。"
                )
            claimed = _money(rng.randint(2000, 50000) * 100)
        elif t == "death":
            kin = {"父母": "父亲" if person.sex == "男" else "母亲", "配偶": "配偶"}.get(
                person.relation, person.relation
            )
            desc = (
                f"被保险人{who}（客户的{kin}）因病于{hospital}去世，客户作为受益人申请身故保险金。"
            )
            claimed = p["sum_insured"]
        elif t == "property":
            cause = rng.choice(["暴雨积水", "电线短路起火", "水管爆裂", "台风吹落外墙广告牌"])
            thing = {"home": "地板、家具和家电", "cargo": "在途货物"}.get(
                p["category"], "存货和设备"
            )
            if p["category"] == "cargo":
                cause = rng.choice(["运输途中车辆侧翻", "集装箱进水", "装卸时跌落"])
            desc = f"因{cause}，{thing}受损。"
            cap = max(5000, int(p["sum_insured"] * 0.3))
            claimed = _money(rng.randint(5000, min(cap, 500000)) * 100)
        else:  # auto
            desc = rng.choice(
                [
                    "在路口等红灯时被后车追尾，对方全责。",
                    "倒车入库时刮擦立柱，单方事故。",
                    "变道时与相邻车道车辆发生碰撞，同等责任。",
                    "停放时被高空坠物砸中引擎盖。",
                ]
            )
            claimed = _money(rng.randint(2000, 40000) * 100)
        items = [(m.item, m.required) for m in claim_rules(Rules()).types[t]]
        return desc, items, claimed

    def stage_note(self, stage: str, t: str, claimed, p: dict) -> str | None:
        rng = self.rng
        notes = {
            "reported": f"客户{rng.choice(['电话', '微信'])}告知出险，已向{p['_short']}报案（{p['_hotline']}），告知所需材料。",
            "collecting": "已发材料清单给客户，正在收集。",
            "submitted": f"材料齐全，已递交保险公司，申请金额 {_wan(claimed)}。",
            "under_review": rng.choice(
                ["保险公司审核中。", "保险公司派员调查，已配合提供补充说明。"]
            ),
            "refused": {
                "medical": "保险公司认定属于投保前已患疾病（既往症），拒绝赔付。",
                "accident": "保险公司认为伤情系疾病所致，不属于意外伤害，拒绝赔付。",
                "property": "保险公司认为损失属于长期渗漏，在责任免除范围内，拒绝赔付。",
                "auto": "事故发生时驾驶证已过有效期，保险公司拒赔。",
                "death": "保险公司以未如实告知为由拒绝赔付。",
            }[t],
            "dispute": "客户不认可拒赔结论，已协助提交书面异议并申请复核；如仍未解决，将协助向金融监管部门投诉或申请调解。",
            "closed": "结案，已告知客户结果。",
        }
        return notes.get(stage)

    # ---- interactions -----------------------------------------------------------------------

    def interactions(self) -> None:
        rng = self.rng
        clients = [c for c in self.client_list]
        if not clients:
            return
        budget = self.size.interactions
        # Renewal calls for policies ending in the next 90 days.
        due = [
            (c, p)
            for c in clients
            if not c.left_on
            for p in c.policies
            if p["status"] == "active"
            and p.get("terminates")
            and renewable(p)
            and self.today < p["terminates"] <= self.today + timedelta(days=90)
        ]
        for c, p in due:
            if budget <= len(clients) // 2 or rng.random() > 0.45:
                continue
            self.renewal_call(c, p)
            budget -= 1
        weights = [
            {"A": 2.0, "B": 1.0, "C": 0.6}[c.data["tier"]] * (1.3 if c.kind == "company" else 1.0)
            for c in clients
        ]
        for i in rng.choices(range(len(clients)), weights, k=max(budget, 0)):
            self.interaction(clients[i])

    def interaction_day(self, c: _Client) -> date:
        end = c.left_on or self.today
        return self.day_between(max(c.since, self.today - timedelta(days=3 * 365)), end)

    def renewal_call(self, c: _Client, p: dict) -> None:
        rng = self.rng
        day = self.day_between(max(c.since, p["terminates"] - timedelta(days=90)), self.today)
        answers = [
            ("客户表示愿意续保，请按原方案报价", 7),
            ("客户考虑更换保险公司，需要比较报价", 10),
            ("客户暂未决定，约定一周后再联系", 7),
            ("客户希望提高保额，请保险公司出新方案", 10),
        ]
        if p["category"] == "auto":
            answers.append(("客户表示车辆准备出售，可能不再续保", 14))
        if p["insurer"] == C_RATED:
            answers.append(("已告知客户该保险公司最近一季评级为 C，客户同意比较其他公司报价", 7))
        answer, follow = rng.choice(answers)
        c.interactions.append(
            {
                "date": day,
                "kind": "call",
                "staff": c.data["manager"],
                "channel": rng.choice(["phone", "wechat"]),
                "summary": f"续保提醒：{p['product']}（{p['registry_no']}）将于 {p['terminates']} 到期，{answer}。",
                "policy": p["registry_no"],
                "follow_up": max(day, self.today - timedelta(days=2))
                + timedelta(days=follow + rng.randint(0, 7)),
            }
        )

    def interaction(self, c: _Client) -> None:
        rng = self.rng
        kind = rng.choices(
            ["consultation", "visit", "call", "greeting", "survey"], [25, 18, 24, 18, 15]
        )[0]
        day = self.interaction_day(c)
        staff = c.data["manager"]
        policy = rng.choice(c.policies) if c.policies and rng.random() < 0.6 else None
        record: dict = {}
        if kind == "consultation":
            options = (
                [
                    "客户咨询{product}的保障范围和免责条款，已逐条解释并发送条款电子版。",
                    "客户询问{product}的续保条件，已说明保证续保期和健康告知要求。",
                    "客户询问{product}能否办理保单借款，已说明借款额度和利息计算方式。",
                    "客户咨询{product}的受益人如何变更，已告知需投保人和被保险人共同签字。",
                ]
                if policy
                else []
            )
            if c.kind == "person":
                options += [
                    "客户想给孩子准备教育金，介绍了年金险与两全险的区别，客户表示考虑后再定。",
                    "客户咨询重疾险等待期内确诊能否赔付，已解释等待期规则。",
                    "客户咨询车险综合改革后三者险保额怎么选，建议不低于 200 万元。",
                    "客户咨询家庭财产险能否保租住房屋内的物品，已说明室内财产可以投保。",
                    "客户咨询父母年龄较大还能买什么保险，建议优先考虑意外险和惠民保。",
                ]
            else:
                options += [
                    "企业咨询雇主责任险与工伤保险的区别，已说明两者可以同时投保、互为补充。",
                    "企业咨询新员工入职后如何加保团体意外险，已说明按月批改流程。",
                    "企业咨询出口货物如何投保海运险，已介绍预约统保和逐笔投保两种方式。",
                    "企业咨询财产险是否足额投保，建议按重置价值重新评估固定资产。",
                ]
            record["summary"] = rng.choice(options)
            record["channel"] = rng.choice(["office", "wechat", "phone"])
        elif kind == "visit":
            options = (
                [
                    "上门回访，核对家庭成员和联系方式，客户资料无变化。",
                    "回访客户，检查保单保管情况，客户对托管服务满意。",
                    f"年度保单检视：梳理客户名下 {len(c.policies)} 张保单，指出意外险保额偏低，建议提高。",
                ]
                if c.kind == "person"
                else [
                    "到企业现场查看仓库消防设施，提醒堆放货物远离配电箱。",
                    f"年度保单检视：梳理企业名下 {len(c.policies)} 张保单，建议企业财产险按重置价值足额投保。",
                    "与企业财务核对各保单缴费计划，确认下季度分期保费金额。",
                ]
            )
            record["summary"] = rng.choice(options)
            record["channel"] = rng.choice(["visit", "office"])
        elif kind == "call":
            if policy and policy["payment"]["frequency"] != "single":
                record["summary"] = (
                    f"提醒客户{policy['product']}本期保费即将扣款，请确认账户余额充足。"
                )
            elif c.claims:
                claim = rng.choice(c.claims)
                record["summary"] = (
                    f"电话告知理赔进度（{claim['id']}）：{rng.choice(['保险公司已受理，预计两周内出结果', '保险公司要求补充材料，已发送清单', '赔款已到账，请客户查收'])}。"
                )
                staff = claim["handler"]
            else:
                record["summary"] = rng.choice(
                    [
                        "电话确认客户新的联系地址，已更新资料。",
                        "提醒客户本周六有保险知识讲座，欢迎参加。",
                    ]
                )
            record["channel"] = "phone"
        elif kind == "greeting":
            holidays = self.holidays()
            start = max(c.since, self.today - timedelta(days=3 * 365))
            end = c.left_on or self.today
            fit = [(d, n) for d, n in holidays if start <= d <= end]
            if fit:
                day, name = rng.choice(fit)
                day = day - timedelta(days=rng.randint(0, 2))
                day = max(day, start)
                record["summary"] = f"{name}问候，发送节日祝福。"
            else:
                record["summary"] = "发送节日祝福。"
            record["channel"] = rng.choice(["wechat", "sms"])
        else:
            claim = next(
                (cl for cl in c.claims if cl["_stage"] in ("paid", "closed", "partly_paid")), None
            )
            score = rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0]
            nps = min(10, max(0, score * 2 + rng.randint(-1, 1)))
            comment = {
                5: [
                    "服务很及时，材料一次就说清楚了。",
                    "续保提醒很贴心，谢谢！",
                    "非常满意，会推荐给朋友。",
                ],
                4: ["整体满意，希望续保提醒再早一点。", "讲解很清楚，就是等待时间稍长。"],
                3: ["还可以，理赔周期有点长。", "希望能在微信上直接查进度。"],
                2: ["沟通不够及时，等了好几天才有回复。"],
                1: ["对理赔结果很不满意。"],
            }[score]
            survey = {"score": score, "nps": nps, "comment": rng.choice(comment)}
            if claim and rng.random() < 0.7:
                survey["about"] = claim["id"]
                day = min(self.today, claim["_date"] + timedelta(days=rng.randint(1, 10)))
                record["summary"] = "理赔服务满意度回访。"
            else:
                record["summary"] = "年度服务满意度调查。"
            record["survey"] = survey
            record["channel"] = rng.choice(["phone", "wechat", "sms"])
        out = {
            "date": day,
            "kind": kind,
            "staff": staff,
            "channel": record["channel"],
            "summary": record["summary"],
        }
        if policy and "{product}" in out["summary"]:
            out["summary"] = out["summary"].format(product=policy["product"])
            out["policy"] = policy["registry_no"]
        elif policy and kind == "call" and "保费" in out["summary"]:
            out["policy"] = policy["registry_no"]
        if kind in ("consultation", "visit", "call"):
            if day >= self.today - timedelta(days=30) and rng.random() < 0.5:
                out["follow_up"] = day + timedelta(days=rng.randint(5, 28))
            elif rng.random() < 0.04:
                out["follow_up"] = day + timedelta(days=rng.randint(5, 20))  # may be overdue
        if "survey" in record:
            out["survey"] = record["survey"]
        c.interactions.append(out)

    def holidays(self) -> list[tuple[date, str]]:
        if not hasattr(self, "_holidays"):
            days = []
            for year in range(self.today.year - 3, self.today.year + 1):
                days.append((lunar_to_solar(year, 1, 1), "春节"))
                days.append((lunar_to_solar(year, 8, 15), "中秋节"))
                days.append((date(year, 1, 1), "元旦"))
                days.append((date(year, 10, 1), "国庆节"))
            self._holidays = sorted(days)
        return self._holidays

    # ---- lectures ---------------------------------------------------------------------------

    def lectures(self) -> None:
        rng = self.rng
        n = self.size.lectures
        if n <= 0:
            return
        saturdays = []
        day = date(self.today.year - 2, 1, 6)
        day += timedelta(days=(5 - day.weekday()) % 7)
        while day <= self.today + timedelta(days=120):
            saturdays.append(day)
            day += timedelta(days=7)
        picks = sorted(rng.sample(saturdays, min(n, len(saturdays))))
        seen: dict[str, int] = {}
        for i, day in enumerate(picks):
            slug, title, tags, audience = LECTURE_TOPICS[i % len(LECTURE_TOPICS)]
            seen[slug] = seen.get(slug, 0) + 1
            if seen[slug] > 1:
                title = f"{title}（第 {seen[slug]} 讲）"
                slug = f"{slug}-{seen[slug]}"
            speaker = rng.choice(["王芳", "李强", "陈静", "特邀讲师 周明（保险公估师）"])
            front = {
                "title": title,
                "date": day,
                "time": rng.choice(["14:00-16:00", "09:30-11:30", "19:00-20:30"]),
                "venue": rng.choice(
                    [
                        "公司二楼培训室（杭州市西湖区文三路 90 号）",
                        "线上直播（腾讯会议）",
                        "文三街道社区活动中心",
                    ]
                ),
                "speaker": speaker,
                "audience": audience,
                "tags": [t for t in tags if t in self.tax],
                "summary": f"围绕“{title.split('（')[0]}”讲解客户最常问的问题，附真实改编案例和投保前核对清单。",
            }
            body = self.lecture_body(title, tags)
            self.files[f"records/lectures/{day}-{slug}.md"] = (
                "---\n" + dump(front, pretty=True) + "---\n\n" + body
            )

    def lecture_body(self, title: str, tags: list[str]) -> str:
        rng = self.rng
        names = "、".join(self.tax[t].name for t in tags if t in self.tax)
        paras = [
            (
                f"本期讲座围绕{names}展开。很多客户手里有保单，却说不清保的是什么、什么情况不赔。"
                "我们从保单首页的几个关键字段讲起：投保人、被保险人、受益人、保险金额、保险期间和缴费方式。"
            ),
            (
                "看条款先看“保险责任”和“责任免除”两部分。保险责任写明了什么情况下赔、赔多少；"
                "责任免除则列出了不赔的情形，例如故意行为、酒后驾驶、投保前已患的疾病等。"
            ),
            (
                "保险金额不是越高越好，要和实际需要相匹配。财产类保险讲究足额投保：保额低于实际价值时，"
                "出险后按比例赔付；人身类保险则要结合家庭收入、负债和供养人口来定。"
            ),
            (
                "理赔时间从出险开始计算。出险后请尽快报案，保留好病历、发票、现场照片等原始材料。"
                "材料不全是理赔拖延最常见的原因，我们会按保险公司的清单逐项核对。"
            ),
            (
                "续保同样重要。短期险一年一保，到期不续就会出现保障空档；部分医疗险停售或断保后，"
                "再投保需要重新健康告知和等待期。本公司会在到期前 90、60、30、7 天提醒您。"
            ),
        ]
        rest = paras[1:]
        rng.shuffle(rest)
        paras = paras[:1] + rest
        cases = rng.choice(
            [
                (
                    "张先生的企业仓库投保了 300 万元财产险，实际价值 500 万元，一次火灾损失 100 万元，"
                    "按 300/500 的比例只赔了 60 万元。"
                ),
                "李女士的百万医疗险有 1 万元免赔额，当年住院花费 8000 元，医保报销后自付部分未超过免赔额，因此没有获赔。",
                "王先生给父亲买的定期寿险指定了受益人，理赔时只需要受益人本人的材料，比法定继承少走很多手续。",
            ]
        )
        return (
            f"# {title}\n\n"
            + "\n\n".join(paras[:4])
            + f"\n\n## 案例\n\n{cases}\n\n## 投保前核对清单\n\n"
            "- 被保险人、受益人的姓名和证件号码是否正确\n"
            "- 保险期间、缴费期限和缴费方式是否清楚\n"
            "- 保险金额是否与实际需要或财产价值相符\n"
            "- 责任免除条款是否逐条读过\n"
        )

    # ---- output -----------------------------------------------------------------------------

    def render(self) -> dict[str, str]:
        self.firm()
        self.staff()
        self.insurers()
        self.clients()
        self.policies()
        self.on_hold()
        self.former_clients()
        self.claims()
        self.sensitive_consent()
        self.interactions()
        self.lectures()
        demo_service.add_service_records(self)
        add_lifecycle(self, self.seed)  # last: its own random stream leaves the rest unchanged
        for c in self.client_list:
            base = f"records/clients/{c.id}"
            self.files[f"{base}/client.yaml.age"] = dump(c.data)
            for p in c.policies:
                self.files[f"{base}/policies/{p['registry_no']}.yaml.age"] = dump(
                    {k: v for k, v in p.items() if not k.startswith("_")}
                )
            for cl in c.claims:
                self.files[f"{base}/claims/{cl['id']}.yaml.age"] = dump(
                    {k: v for k, v in cl.items() if not k.startswith("_")}
                )
            for i, name in interaction_names(c):
                self.files[f"{base}/interactions/{name}.yaml.age"] = dump(i)
            for slot in ("tasks", "incidents"):
                for record in getattr(c, slot):
                    self.files[f"{base}/{slot}/{record['id']}.yaml.age"] = dump(record)
        return self.files


# --------------------------------------------------------------------------------------------
# Public API.


def render(
    size: FirmSize = DEMO,
    *,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    lectures: tuple[tuple[str, date, str], ...] = (),
) -> dict[str, str]:
    """The whole firm as plaintext: {path relative to the firm root: file text}. ``lectures``
    are (slug, date, title) of lecture files the firm already has (clients attend them)."""
    return _Generator(size, seed, today, lectures).render()


def existing_lectures(root: Path) -> tuple[tuple[str, date, str], ...]:
    """(slug, date, title) of the lecture files already under root."""
    from baodan.store.loader import split_front_matter

    found = []
    for path in sorted((root / "records" / "lectures").glob("*.md")):
        parts = split_front_matter(path.read_text("utf-8"))
        front = yaml.safe_load(parts[0]) if parts else None
        if isinstance(front, dict) and isinstance(front.get("date"), date):
            found.append((path.stem, front["date"], str(front.get("title", path.stem))))
    return tuple(found)


def generate(
    root: Path,
    size: FirmSize,
    vault: Vault,
    *,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    replace: bool = False,
) -> dict[str, str]:
    """Write a synthetic firm under ``root``; client records are encrypted with ``vault``.
    Returns the plaintext written ({path relative to root: text}), as ``render`` does.

    The demo's documents (demo/documents.py) are written too; their records are returned,
    their files (not text) are not. Keys are not written. With
    ``replace=True`` the generated folders (records/clients, insurers, staff, training,
    partners) are emptied first; otherwise a folder that already holds clients is refused, so
    stale records never mix in.
    """
    root = Path(root)
    records = root / "records"
    clients_dir = records / "clients"
    if replace:
        for sub in ("clients", "insurers", "staff", "training", "partners"):
            shutil.rmtree(records / sub, ignore_errors=True)
    elif clients_dir.is_dir() and any(clients_dir.iterdir()):
        raise FileExistsError(
            f"{clients_dir} already holds clients; pass replace=True to regenerate"
        )
    files = render(size, seed=seed, today=today, lectures=existing_lectures(root))
    made: set[Path] = set()
    documents = demo_documents(files)
    written = [(rel, text.encode("utf-8")) for rel, text in files.items()]
    for rel, data in [*written, *documents.items()]:
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if rel.endswith(".age"):  # a document's own file is binary age, records armored
            data = vault.encrypt(data, armored=rel.endswith(".yaml.age"))
        path.write_bytes(data)
    files.update(
        (rel, data.decode("utf-8")) for rel, data in documents.items() if rel.endswith(".yaml.age")
    )
    return files
