"""The demo firm's policy life: intake audits (a couple on hold, with tasks), discrepancies in
every status, renewal contacts in every stage of the pipeline.

A pass over what demo.py generated, with its own random stream (``Random(seed + 1)``), so the
rest of the demo (clients, policies, claims …) is the same with or without it. Each difference
recorded here exists in the data exactly as ``baodan verify`` would find it.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import TYPE_CHECKING

from stdnum.cn import ric

from baodan.core.rules import Rules
from baodan.demo.common import renewable
from baodan.domain.audit import checklist, checklists

if TYPE_CHECKING:
    from baodan.demo.common import _Client
    from baodan.demo.generator import _Generator

AUDITED_DAYS = 400  # policies received this recently went through baodan's intake audit
STAFF_DEPARTMENT = {"wang-fang": "客户服务部", "chen-jing": "会计部", "li-qiang": "理赔部"}
# The on-hold notes demo.py writes → the checklist item that failed and what was seen.
HOLD_ITEMS = {
    "骑缝章": ("seals", "第 2 页骑缝章不清晰，疑似复印件"),
    "第 15 位": ("no_alteration", "被保险人证件号码第 15 位与客户资料不一致，疑似改动"),
    "涂改": ("no_alteration", "保额处有涂改痕迹，未见更正章"),
    "验真": ("no_forgery", "用保单号在保险公司官网查不到这张保单"),
    "电子签章页": ("seals", "缺少电子签章页"),
}
# Renewal-call answers demo.py writes → the intention they record.
INTENTION_OF = {
    "愿意续保": "renew",
    "提高保额": "renew",
    "更换保险公司": "undecided",
    "暂未决定": "undecided",
    "评级为 C": "undecided",
    "准备出售": "decline",
}
FAKE_HOTLINE = "400-860-9518"


def _insert_after(d: dict, after: str, key: str, value) -> None:
    """Put ``key`` right after ``after`` (dicts keep the order records are written in)."""
    items = list(d.items())
    d.clear()
    for k, v in items:
        if k != key:
            d[k] = v
        if k == after:
            d[key] = value
    d.setdefault(key, value)


class Lifecycle:
    def __init__(self, gen: _Generator, seed: int):
        self.gen = gen
        self.today = gen.today
        self.rng = Random(seed + 1)
        self.hotline = {i["code"]: i["hotline"] for i in gen.insurer_list}
        self.insurer_name = {i["code"]: i["short"] for i in gen.insurer_list}
        self.rules = Rules()  # a demo firm works by the package's rules

    def run(self) -> None:
        clients = self.gen.client_list
        for c in clients:
            for p in c.policies:
                recent = (self.today - p["intake"]["received_on"]).days <= AUDITED_DAYS
                if recent and p["insurer"] in self.hotline:
                    _insert_after(p, "policy_no", "insurer_phone", self.hotline[p["insurer"]])
                if p["status"] == "on_hold":
                    self.hold(c, p)
                elif recent:
                    self.audit(p, ok=True)
        self.second_hold(clients)
        self.renewal_contacts(clients)
        self.discrepancies(clients)
        self.bereavement(clients)

    def task_id(self) -> str:
        while (tid := f"t-{self.rng.getrandbits(32):08x}") in self.gen.used:
            pass
        self.gen.used.add(tid)
        return tid

    # ---- intake audit ------------------------------------------------------------------------

    def audit(self, p: dict, ok: bool, failed: dict[str, str] | None = None, day=None) -> date:
        received = p["intake"]["received_on"]
        day = day or min(self.today, received + timedelta(days=self.rng.randint(0, 2)))
        items = []
        for item in checklist(p["intake"]["medium"], self.rules):
            entry = {"item": item.code, "ok": item.code not in (failed or {})}
            if not entry["ok"]:
                entry["note"] = failed[item.code]
            elif item.pdf:
                entry["note"] = (
                    f"签名有效，签名后未被改动（签名人：{self.insurer_name.get(p['insurer'], '')}）"
                )
            items.append(entry)
        audit = {"date": day, "staff": p["intake"]["received_by"], "items": items}
        _insert_after(p, "intake", "audit", audit)
        return day

    def hold(self, c: _Client, p: dict, day: date | None = None, failed=None) -> None:
        note = p.get("notes", "")
        items = {i.code: i.label for i in checklist(p["intake"]["medium"], self.rules)}
        code, seen = failed or next(
            (v for k, v in HOLD_ITEMS.items() if k in note), ("format_complete", "保单缺页")
        )
        if code not in items:  # e.g. 涂改 is not an item of the electronic checklist
            code = "format_complete"
        day = self.audit(p, ok=False, failed={code: seen}, day=day)
        label = items[code]
        reason = f"初审异常：{label}——{seen}"
        _insert_after(p, "status", "hold_reason", reason)
        rules = checklists(self.rules)
        staff = p["intake"]["received_by"]
        c.tasks.append(
            {
                "id": self.task_id(),
                "title": f"初审异常：通知客户并收集证明（{p['registry_no']}）",
                "kind": "audit",
                "from_department": STAFF_DEPARTMENT[staff],
                "to_department": rules.task_to,
                "owner": c.data["manager"],
                "policy": p["registry_no"],
                "created": day,
                "due": day + timedelta(days=rules.task_due_days),
                "status": "open",
                "notes": f"{reason}\n请通知客户，收集能证明保单真实、有效的材料，"
                f"收齐后重新审核：baodan audit {p['registry_no']}",
            }
        )

    def second_hold(self, clients: list[_Client]) -> None:
        """A couple of policies on hold in a firm of 40 policies or more: the second one has
        a fake-looking hotline, found two weeks ago, and its task is overdue."""
        policies = [(c, p) for c in clients for p in c.policies]
        if len(policies) < 40 or sum(p["status"] == "on_hold" for _, p in policies) >= 2:
            return
        candidates = [
            (c, p)
            for c, p in policies
            if p["status"] == "active"
            and not c.left_on
            and p["intake"]["medium"] == "paper"
            and 14 <= (self.today - p["intake"]["received_on"]).days <= 60
            and "insurer_phone" in p
        ]
        if not candidates:
            return
        c, p = self.rng.choice(candidates)
        p["status"] = "on_hold"
        p["insurer_phone"] = FAKE_HOTLINE
        p.pop("audit", None)
        self.hold(
            c,
            p,
            day=p["intake"]["received_on"] + timedelta(days=1),
            failed=(
                "no_forgery",
                f"保单上的客服电话 {FAKE_HOTLINE} 不是保险公司官方电话，真伪待核实",
            ),
        )
        self.discrepancy(
            p,
            "insurer_phone",
            f"保单上的{self.insurer_name[p['insurer']]}客服电话与保险公司名录不符（警惕伪造保单）",
            FAKE_HOTLINE,
            self.hotline[p["insurer"]],
            "open",
            c,
        )

    # ---- renewals ----------------------------------------------------------------------------

    def renewal_contacts(self, clients: list[_Client]) -> None:
        """Renewal calls become renewal contacts with the intention heard; then make sure
        every stage of the pipeline has a policy in it."""

        for c in clients:
            for i in c.interactions:
                if i["kind"] == "call" and i["summary"].startswith("续保提醒："):
                    i["kind"] = "renewal"
                    i["summary"] = "续保联系：" + i["summary"].removeprefix("续保提醒：")
                    intention = next(
                        (v for k, v in INTENTION_OF.items() if k in i["summary"]), None
                    )
                    if intention:
                        i["intention"] = intention
        contacted = {i["policy"] for c in clients for i in c.interactions if i["kind"] == "renewal"}
        waiting = [
            (c, p)
            for c in clients
            if not c.left_on
            for p in c.policies
            if p["status"] == "active"
            and p.get("terminates")
            and renewable(p)
            and 8 <= (p["terminates"] - self.today).days <= 80
            and p["registry_no"] not in contacted
        ]
        self.rng.shuffle(waiting)
        stories = [
            (None, "电话未接通，已发短信提醒到期日期，请客户回电。", 3),
            ("decline", "客户表示已在别处投保，不再续保。", None),
            ("undecided", "客户想比较几家报价，约定下周再联系。", 7),
            ("renew", "客户同意按原方案续保，请保险公司出续保单。", None),
        ]
        for (c, p), (intention, said, follow) in zip(waiting, stories):
            day = max(p["terminates"] - timedelta(days=self.rng.randint(62, 75)), c.since)
            day = min(day, self.today - timedelta(days=1))
            contact = {
                "date": day,
                "kind": "renewal",
                "staff": c.data["manager"],
                "channel": "phone",
                "summary": f"续保联系：{p['product']}（{p['registry_no']}）将于 {p['terminates']} 到期，{said}",
                "policy": p["registry_no"],
            }
            if follow:
                contact["follow_up"] = day + timedelta(days=follow)
            if intention:
                contact["intention"] = intention
            c.interactions.append(contact)

    # ---- verification ------------------------------------------------------------------------

    def discrepancy(self, p, field, subject, on_policy, on_record, status, c, note=None):
        found = p.get("audit", {}).get("date") or p["intake"]["received_on"]
        found = min(found + timedelta(days=1), self.today)
        d = {
            "field": field,
            "subject": subject,
            "on_policy": on_policy,
            "on_record": on_record,
            "status": status,
            "found_on": found,
            "found_by": c.data["manager"],
        }
        if status in ("confirmed", "resolved"):
            d["confirmed_on"] = min(found + timedelta(days=self.rng.randint(1, 5)), self.today)
        if status == "resolved":
            d["resolved_on"] = min(
                d["confirmed_on"] + timedelta(days=self.rng.randint(0, 7)), self.today
            )
            d["resolved_by"] = c.data["manager"]
        if note:
            d["note"] = note
        after = "audit" if "audit" in p else "intake"
        if "discrepancies" in p:
            p["discrepancies"].append(d)
        else:
            _insert_after(p, after, "discrepancies", [d])

    def bereavement(self, clients: list[_Client]) -> None:
        """A client whose spouse, the beneficiary of the client's life policy, died half a
        year ago: the beneficiary is to be changed (risk rule beneficiary_outdated)."""
        for c in clients:
            if c.kind != "person" or c.left_on:
                continue
            for p in c.policies:
                spouse = next(
                    (b for b in p.get("beneficiaries", []) if b["relation"] == "配偶"), None
                )
                own = any(i.get("relation") == "本人" for i in p["insured"])
                if p["category"] == "life" and p["status"] == "active" and own and spouse:
                    for member in c.data.get("family", []):
                        if member["name"] == spouse["name"]:
                            member["died_on"] = self.today - timedelta(days=180)
                            return

    def discrepancies(self, clients: list[_Client]) -> None:
        """One of each status on person clients' recent, audited, active policies."""
        pool = [
            (c, p)
            for c in clients
            if c.kind == "person" and not c.left_on
            for p in c.policies
            if p["status"] == "active" and "audit" in p and not p.get("discrepancies")
        ]
        self.rng.shuffle(pool)
        used: set[str] = set()

        def take(pred):
            for c, p in pool:
                if c.id not in used and pred(c, p):
                    used.add(c.id)
                    return c, p
            return None, None

        # Open: the policy prints a mobile number the client no longer uses.
        c, p = take(lambda c, p: p["policyholder"].get("id_number") == c.self_person.id_number)
        if c:
            old = "1" + self.rng.choice("35789") + f"{self.rng.randrange(10**9):09d}"
            p["policyholder"]["mobile"] = old
            self.discrepancy(
                p,
                "policyholder.mobile",
                f"投保人 {c.name} 的手机号",
                old,
                c.self_person.mobile,
                "open",
                c,
            )
        # Confirmed: the insurer misprinted a family member's ID number (sequence digits).
        c, p = take(
            lambda c, p: any(
                i.get("relation") in ("配偶", "子女") and i.get("id_number") for i in p["insured"]
            )
        )
        if c:
            n, insured = next(
                (n, i) for n, i in enumerate(p["insured"]) if i.get("relation") in ("配偶", "子女")
            )
            wrong = _misprint(insured["id_number"], self.rng)
            self.discrepancy(
                p,
                f"insured[{n}].id_number",
                f"被保险人 {insured['name']} 的身份证号",
                wrong,
                insured["id_number"],
                "confirmed",
                c,
                "客户核对了身份证原件：保单上的号码印错，已请保险公司批改。",
            )
            insured["id_number"] = wrong
        # Resolved: the client had moved; the record now has the address on the policy.
        c, p = take(lambda c, p: p["policyholder"].get("id_number") == c.self_person.id_number)
        if c:
            p["policyholder"]["address"] = c.data["address"]
            self.discrepancy(
                p,
                "policyholder.address",
                "投保人地址",
                c.data["address"],
                "杭州市拱墅区湖墅南路 186 号 3 幢 502 室",
                "resolved",
                c,
                "客户已搬家，按保单上的新地址更新了客户资料。",
            )


def _misprint(id_number: str, rng: Random) -> str:
    """The same person's ID with other sequence digits (same sex), still a valid number."""
    sex = int(id_number[16]) % 2
    while True:
        seq = rng.randrange(1, 500) * 2 + sex
        body = id_number[:14] + f"{seq:03d}"[-3:]
        if body != id_number[:17]:
            return body + ric.calc_check_digit(body + "0")  # it reads the first 17


def add_lifecycle(gen: _Generator, seed: int) -> None:
    Lifecycle(gen, seed).run()
