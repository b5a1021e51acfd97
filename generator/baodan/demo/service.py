"""The demo firm's client-service records: claims in every queue, holiday greetings, follow-up
visits, satisfaction surveys, lecture attendance, department hand-offs, emergency-plan
incidents, staff training sessions and partners.

``add_service_records(generator)`` runs after demo._Generator has made the clients, policies,
claims and interactions. It draws from a random stream of its own (seeded from the firm's
seed), so whatever it adds never shifts what the rest of the generator makes.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from random import Random

import yaml

from baodan.core.rules import Rules
from baodan.demo.common import add_note, claim_type, interaction_names
from baodan.domain.care import care_rules, compose_greeting, holidays
from baodan.domain.incidents import finish_step, start_incident
from baodan.domain.kpis import last_months
from baodan.models import Client

VISITS = {
    "person": [
        "上门回访，核对家庭成员和联系方式，客户资料无变化。",
        "回访客户，一起检视名下保单的保障范围，客户暂无新的需求。",
        "回访客户，提醒年底前核对受益人信息，客户表示会和家人商量。",
    ],
    "company": [
        "到企业回访，与财务核对各保单缴费计划和发票。",
        "到企业回访，了解新增员工情况，提醒及时加保团体意外险。",
        "到企业回访，查看仓库消防设施，提醒货物远离配电箱堆放。",
    ],
}
SURVEY_COMMENTS = {
    5: ["服务很及时，材料一次就说清楚了。", "续保提醒很贴心，谢谢！", "非常满意，会推荐给朋友。"],
    4: ["整体满意，希望续保提醒再早一点。", "讲解很清楚，就是等待时间稍长。"],
    3: ["还可以，理赔周期有点长。", "希望能在微信上直接查进度。"],
    2: ["沟通不够及时，等了好几天才有回复。"],
    1: ["对理赔结果很不满意。"],
}
TRAINING = [
    (
        "claims-materials",
        "理赔材料审核要点与常见退件原因",
        "li-qiang",
        2,
        "按医疗、意外、财产、车险逐项讲解材料清单；发票与费用清单不一致、病历缺页是最常见的退件原因。",
    ),
    (
        "pipl",
        "《个人信息保护法》与客户资料管理",
        "特邀讲师 赵律师（浙江明理律师事务所）",
        3,
        "敏感个人信息的单独同意、最小必要原则、客户查阅复制删除请求的处理流程，以及泄露事件的报告。",
    ),
    (
        "critical-illness",
        "重疾险新定义解读与理赔案例",
        "wang-fang",
        2,
        "2021 版重大疾病保险的疾病定义使用规范：28 种重疾、3 种轻症，甲状腺癌分级赔付。",
    ),
    (
        "auto-reform",
        "车险综合改革后的报价与理赔",
        "特邀讲师 周明（保险公估师）",
        2,
        "商业险保费与出险次数的关系，三者险保额的选择，单方事故和互碰快赔的处理。",
    ),
    (
        "disputes",
        "理赔纠纷的处理步骤：异议、投诉、12378 与调解",
        "li-qiang",
        1.5,
        "按公司“理赔纠纷”应急预案逐步演练：书面异议、保险公司投诉、监管投诉热线 12378、调解与诉讼时效。",
    ),
]
PARTNERS = [
    {
        "code": "cmb-hz",
        "name": "招商银行杭州文三路支行（演示）",
        "kind": "银行",
        "since": date(2019, 5, 1),
        "services": "企业客户代发工资和对公账户业务转介；客户保费自动扣款账户的开立与变更。",
        "notes": "对公业务经理每季度来访一次；转介的企业客户优先安排保单检视。",
        "contacts": [("对公客户经理", "对公开户、代发工资"), ("个人理财经理", "保费扣款账户")],
    },
    {
        "code": "hzbank-xh",
        "name": "杭州银行西湖支行（演示）",
        "kind": "银行",
        "since": date(2021, 9, 1),
        "services": "小微企业经营贷款客户转介；贷款抵押物的财产保险由客户自选保险公司，本公司协助比价。",
        "notes": "贷款抵押物的财产险第一受益人须为银行，登记时核对特别约定。",
        "contacts": [("小微金融部经理", "经营贷款、抵押物保险")],
    },
    {
        "code": "mingli-law",
        "name": "浙江明理律师事务所（演示）",
        "kind": "律师事务所",
        "since": date(2022, 3, 1),
        "services": "理赔纠纷的法律咨询、调解与诉讼代理；员工个人信息保护培训。",
        "notes": "理赔纠纷按预案走到调解一步时，可先请律师免费评估一次胜诉可能。",
        "contacts": [("合伙人律师", "保险合同纠纷")],
    },
    {
        "code": "jinheng-adjusters",
        "name": "杭州金衡保险公估有限公司（演示）",
        "kind": "保险公估",
        "since": date(2020, 7, 1),
        "services": "企业财产险、工程险大额损失的查勘定损；与保险公司对损失金额有分歧时出具公估报告。",
        "contacts": [("公估师", "企业财产、工程险定损")],
    },
]
INSURER_NOTES = {
    "picc": "车险和企业财产险的主要合作公司。团体业务报价通常 3 个工作日内回复；大额理赔可请理赔联络人协调查勘。",
    "pingan": "车险线上理赔快，小额案件多数当天结案；健康险产品线齐全。",
    "cpic": "企业财产险和责任险报价有竞争力；理赔资料可通过企业微信提交。",
    "chinalife": "寿险和年金险保单最多的公司；保全变更（受益人、缴费账户）需投保人本人到柜面办理。",
    "taikang": "年金和养老社区相关产品；注意其偿付能力数据更新滞后，续保前先查最新披露。",
}


def add_service_records(g) -> None:
    """Add the client-service records to a demo._Generator that has made everything else."""
    _Service(g).run()


class _Service:
    def __init__(self, g):
        self.g = g
        self.rng = Random(f"service-{g.seed}")
        self.today: date = g.today
        self.active = [c for c in g.client_list if not c.left_on]
        firm = yaml.safe_load(g.files["records/firm.yaml"])
        self.firm_name = firm.get("short_name") or firm["name"]
        self.rules = Rules()  # a demo firm works by the package's rules
        self.staff_names = {
            s["id"]: s["name"]
            for s in (
                yaml.safe_load(t) for p, t in g.files.items() if p.startswith("records/staff/")
            )
        }
        self.about: list[tuple] = []  # (survey dict, client, target interaction) to name at the end

    def run(self) -> None:
        if not self.active:
            return
        self.claims_in_every_queue()
        self.greeting_occasions()
        self.festival_greetings()
        self.visits()
        self.surveys()
        self.lecture_attendance()
        self.tasks()
        self.incidents()
        self.training()
        self.partners()
        self.name_survey_targets()

    @contextmanager
    def generator_rng(self):
        """Let the generator's own helpers (claim, person_name …) draw from this stream."""
        saved, self.g.rng = self.g.rng, self.rng
        try:
            yield
        finally:
            self.g.rng = saved

    def new_id(self, prefix: str) -> str:
        return self.g.unique(lambda: f"{prefix}{self.rng.getrandbits(32):08x}")

    def client_model(self, c) -> Client:
        return Client.model_validate(c.data)

    # ---- claims: at least one in every queue ------------------------------------------------

    def claims_in_every_queue(self) -> None:

        g, rng = self.g, self.rng
        if g.size.claims <= 0:
            return
        claims = [cl for c in g.client_list for cl in c.claims]

        def missing(cl) -> bool:
            return any(
                m.get("required", True) and not m.get("received_on") for m in cl["materials"]
            )

        checks = {
            "collecting": lambda cl: cl["_stage"] == "collecting" and missing(cl),
            "complete": lambda cl: cl["_stage"] == "collecting" and not missing(cl),
            "reported": lambda cl: cl["_stage"] == "reported",
            "submitted": lambda cl: cl["_stage"] == "submitted",
            "under_review": lambda cl: cl["_stage"] == "under_review",
        }
        wanted = [name for name, test in checks.items() if not any(test(cl) for cl in claims)]
        pool = [
            (c, p)
            for c in self.active
            for p in c.policies
            if p["status"] == "active"
            and p["effective"] <= self.today - timedelta(days=90)
            and claim_type(p) not in (None, "death")
        ]
        if not pool:
            return
        with self.generator_rng():
            for name in wanted:
                c, p = rng.choice(pool)
                g.claim(c, p, claim_type(p), "collecting" if name == "complete" else name)
                cl = c.claims[-1]
                if name == "complete":
                    for m in cl["materials"]:
                        if m.get("required", True) and not m.get("received_on"):
                            m["received_on"] = min(self.today, cl["_date"] + timedelta(days=3))
                elif name == "collecting" and not missing(cl):
                    cl["materials"][-1].pop("received_on", None)
                    cl["materials"][-1].pop("required", None)

    # ---- client care -------------------------------------------------------------------------

    def greeting_occasions(self) -> None:
        """Name the occasion of the greetings the generator logged ("春节问候，…")."""
        codes = {occ.name: code for code, occ in care_rules(self.rules).occasions.items()}
        for c in self.g.client_list:
            for i in c.interactions:
                if i["kind"] == "greeting":
                    code = codes.get(i["summary"].partition("问候")[0])
                    if code:
                        i["occasion"] = code

    def festival_greetings(self) -> None:
        """The last two festivals' greetings, sent to most A and B clients with the suggested
        message, as the greeting queue would have proposed them."""
        past = [
            (d, code)
            for year in (self.today.year - 1, self.today.year)
            for d, code in holidays(year, self.rules)
            if self.today - timedelta(days=365) <= d < self.today
        ][-2:]
        share = {"A": 1.0, "B": 0.6, "C": 0.2}
        for day, code in past:
            for c in self.active:
                if c.since > day or self.rng.random() > share[c.data["tier"]]:
                    continue
                client = self.client_model(c)
                text = compose_greeting(
                    client,
                    code,
                    day,
                    firm=self.firm_name,
                    manager=self.staff_names.get(client.manager, ""),
                    rules=self.rules,
                )
                if text is None:
                    continue
                c.interactions.append(
                    {
                        "date": day - timedelta(days=self.rng.randint(0, 1)),
                        "kind": "greeting",
                        "staff": client.manager,
                        "channel": self.rng.choice(["wechat", "wechat", "sms"]),
                        "summary": text,
                        "occasion": code,
                    }
                )

    def visits(self) -> None:
        """A last visit for most clients, timed so that some are due soon and some overdue."""
        intervals = care_rules(self.rules).visit_interval_days
        for c in self.active:
            if self.rng.random() > 0.75:
                continue
            last = self.today - timedelta(
                days=intervals[c.data["tier"]] + self.rng.randint(-40, 25)
            )
            if last < c.since or last >= self.today:
                continue
            if any(i["kind"] == "visit" and i["date"] >= last for i in c.interactions):
                continue
            c.interactions.append(
                {
                    "date": last,
                    "kind": "visit",
                    "staff": c.data["manager"],
                    "channel": self.rng.choice(["visit", "office"]),
                    "summary": self.rng.choice(VISITS[c.kind]),
                }
            )

    def surveys(self) -> None:
        """Two to five surveys a month over the last year; some about a recent claim or visit."""
        rng = self.rng
        for month in last_months(self.today, 12):
            first = date.fromisoformat(f"{month}-01")
            last = min(self.today, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            for _ in range(rng.randint(2, 5)):
                c = rng.choice(self.active)
                if c.since > first:
                    continue
                day = first + timedelta(days=rng.randint(0, (last - first).days))
                score = rng.choices([5, 4, 3, 2, 1], [45, 32, 13, 6, 4])[0]
                nps = min(10, max(0, score * 2 + rng.randint(-1, 0)))
                survey = {"score": score, "nps": nps, "comment": rng.choice(SURVEY_COMMENTS[score])}
                record = {
                    "date": day,
                    "kind": "survey",
                    "staff": c.data["manager"],
                    "channel": rng.choice(["phone", "wechat", "sms"]),
                    "summary": "服务满意度调查。",
                    "survey": survey,
                }
                target = next(
                    (
                        i
                        for i in sorted(c.interactions, key=lambda x: x["date"], reverse=True)
                        if i["kind"] in ("visit", "consultation")
                        and day - timedelta(days=30) <= i["date"] < day
                    ),
                    None,
                )
                if target is not None:
                    record["summary"] = "回访后的服务满意度调查。"
                    self.about.append((survey, c, target))
                c.interactions.append(record)

    def name_survey_targets(self) -> None:

        names = {}
        for c in {id(c): c for _, c, _ in self.about}.values():
            names.update({id(i): name for i, name in interaction_names(c)})
        for survey, _, target in self.about:
            survey["about"] = names[id(target)]

    def lecture_attendance(self) -> None:
        """Clients who agreed to lecture notices attend some of the lectures already held."""
        lectures = list(self.g.known_lectures)
        for path, text in self.g.files.items():
            if path.startswith("records/lectures/"):
                front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---"))
                lectures.append(
                    (path.rsplit("/", 1)[1].removesuffix(".md"), front["date"], front["title"])
                )
        for slug, day, title in sorted(lectures, key=lambda x: x[1]):
            if day >= self.today:
                continue
            fans = [
                c
                for c in self.active
                if c.since <= day and "讲座通知" in c.data.get("consent", {}).get("purposes", [])
            ]
            for c in self.rng.sample(fans, min(len(fans), self.rng.randint(2, 6))):
                c.interactions.append(
                    {
                        "date": day,
                        "kind": "lecture",
                        "staff": c.data["manager"],
                        "channel": "office",
                        "summary": f"参加讲座“{title}”。",
                        "lecture": slug,
                    }
                )

    # ---- hand-offs between departments ----------------------------------------------------------

    def tasks(self) -> None:
        """Two or three tasks for every department, some overdue, some done lately."""
        rng, today = self.rng, self.today
        companies = [c for c in self.active if c.kind == "company"] or self.active
        people = [c for c in self.active if c.kind == "person"] or self.active
        claims = [(c, cl) for c in self.active for cl in c.claims if cl["_stage"] != "closed"]
        plan = [
            (
                "客户服务部",
                "理赔部",
                "客户补交的理赔材料已收齐，请核对后递交保险公司",
                "claim",
                2,
                None,
            ),
            ("理赔部", "客户服务部", "保险公司要求补充诊断证明原件，请联系客户", "claim", -3, None),
            (
                "会计部",
                "客户服务部",
                "企业新增 3 名员工，请联系保险公司加保团体意外险",
                "handoff",
                -6,
                None,
            ),
            (
                "客户服务部",
                "会计部",
                "客户更换了保费扣款银行卡，请更新代扣信息",
                "handoff",
                5,
                None,
            ),
            ("会计部", "财务部", "核对企业客户本季度保费发票并入账", "handoff", 7, None),
            ("财务部", "会计部", "保费代扣失败（账户余额不足），请通知客户", "handoff", -2, None),
            (
                "理赔部",
                "管理层",
                "理赔纠纷：是否请合作律师评估后申请调解，请审批",
                "incident",
                4,
                None,
            ),
            (
                "客户服务部",
                "管理层",
                "评级为 C 的保险公司保单即将到期，请确认转保建议口径",
                "renewal",
                -1,
                None,
            ),
            ("管理层", "客户服务部", "年度满意度调查：请安排 A 类客户回访", "care", -20, "done"),
            ("客户服务部", "财务部", "客户申请退还多缴保费，请核对到账后退款", "handoff", 10, None),
            ("理赔部", "会计部", "赔款已到账企业对公账户，请做账务处理", "claim", -10, "done"),
        ]
        owners = {"客户服务部": "wang-fang", "理赔部": "li-qiang", "会计部": "chen-jing"}
        for n, (frm, to, title, kind, due_in, status) in enumerate(plan):
            created = today - timedelta(days=rng.randint(3, 20) + max(0, -due_in))
            about_company = to in ("会计部", "财务部") or "企业" in title
            c = rng.choice(companies if about_company else people)
            task = {
                "id": self.new_id("t-"),
                "title": title,
                "kind": kind,
                "from_department": frm,
                "to_department": to,
            }
            if kind == "claim" and claims:
                c, cl = claims[n % len(claims)]
                task["claim"] = cl["id"]
            elif c.policies:
                task["policy"] = rng.choice(c.policies)["registry_no"]
            if to in owners and self.rng.random() < 0.8:
                task["owner"] = owners[to]
            task["created"] = created
            task["due"] = today + timedelta(days=due_in)
            task["status"] = status or rng.choice(["open", "open", "in_progress"])
            if status == "done":
                task["closed_on"] = min(today, task["due"] + timedelta(days=rng.randint(-3, 0)))
                task["notes"] = "已处理完毕。"
            c.tasks.append(task)

    # ---- emergency plans --------------------------------------------------------------------------

    def incidents(self) -> None:
        self.dispute_incident()
        self.lost_policy_incidents()

    def dispute_incident(self) -> None:
        """The latest claim in dispute follows the plan: three steps done, the fourth due."""
        disputes = [(c, cl) for c in self.active for cl in c.claims if cl["_stage"] == "dispute"]
        if not disputes:
            return
        c, cl = max(disputes, key=lambda x: x[1]["_date"])
        opened = cl["_date"] + timedelta(days=1)
        data = start_incident(
            self.new_id("in-"),
            "claim_dispute",
            title="客户不认可拒赔结论",
            opened=opened,
            owner=cl["handler"],
            claim=cl["id"],
            rules=self.rules,
        )
        notes = {
            "review_refusal": "拒赔依据为条款责任免除第五条；客户有维修记录可证明并非长期渗漏，异议有依据。",
            "written_objection": "已协助客户提交书面异议和维修记录，保险公司受理。",
            "insurer_complaint": "保险公司复核后维持原结论，已书面答复。",
        }
        for step, note in notes.items():
            done = min(self.today, next(s["due"] for s in data["steps"] if s["step"] == step))
            finish_step(data, step, day=done, by=cl["handler"], note=note)
        c.incidents.append(data)

    def lost_policy_incidents(self) -> None:
        """One lost paper policy being re-issued now, and one finished earlier this year."""

        paper = [
            (c, p)
            for c in self.active
            for p in c.policies
            if p["status"] == "active" and p["intake"].get("original_location")
        ]
        if len(paper) < 2:
            return
        (c1, p1), (c2, p2) = self.rng.sample(paper, 2)
        opened = self.today - timedelta(days=4)
        data = start_incident(
            self.new_id("in-"),
            "lost_policy",
            title="客户借出保单原件办理贷款时遗失",
            opened=opened,
            owner=c1.data["manager"],
            policy=p1["registry_no"],
            rules=self.rules,
        )
        finish_step(
            data,
            "confirm_loss",
            day=opened,
            by=c1.data["manager"],
            note="客户借出原件办理房贷，在银行遗失；档案柜登记为已借出。",
        )
        finish_step(
            data,
            "report_insurer",
            day=opened + timedelta(days=1),
            by=c1.data["manager"],
            note=f"已致电{p1['_short']}客服挂失，受理编号 GS{opened:%Y%m%d}0137。",
        )
        c1.incidents.append(data)
        opened = self.today - timedelta(days=self.rng.randint(150, 220))
        data = start_incident(
            self.new_id("in-"),
            "lost_policy",
            title="办公室搬迁后找不到保单原件",
            opened=opened,
            owner=c2.data["manager"],
            policy=p2["registry_no"],
            rules=self.rules,
        )
        new_place = f"档案柜{self.rng.choice('ABCD')}-{self.rng.randint(1, 24):02d}"
        for step in data["steps"]:
            finish_step(
                data,
                step["step"],
                day=min(step.get("due", opened), self.today),
                by=c2.data["manager"],
                note=f"补发保单已归档，存放于 {new_place}"
                if step["step"] == "update_record"
                else None,
            )
        data["outcome"] = f"保险公司已补发保单，原件改存 {new_place}。"
        p2["intake"]["original_location"] = new_place
        add_note(p2, f"{data['closed_on']} 原件遗失后由保险公司补发，补发保单存放于 {new_place}。")
        c2.incidents.append(data)

    # ---- staff training and partners ----------------------------------------------------------------

    def training(self) -> None:
        staff = sorted(self.staff_names)
        for n, (slug, topic, trainer, hours, summary) in enumerate(TRAINING):
            day = self.today - timedelta(days=30 + 70 * n + self.rng.randint(0, 20))
            day += timedelta(days=(5 - day.weekday()) % 7)  # a Saturday morning
            attendees = [s for s in staff if s != trainer and self.rng.random() < 0.85] or [
                s for s in staff if s != trainer
            ][:1]
            self.g.write(
                f"records/training/{day}-{slug}.yaml",
                {
                    "topic": topic,
                    "date": day,
                    "hours": hours,
                    "trainer": trainer,
                    "attendees": attendees,
                    "venue": "公司二楼培训室",
                    "summary": summary,
                },
            )

    def partners(self) -> None:
        g = self.g
        with self.generator_rng():
            for code, record in g.insurer_records.items():
                if code not in INSURER_NOTES:
                    continue
                record["partner_notes"] = INSURER_NOTES[code]
                record["partner_contacts"] = [
                    self.contact("团险业务经理", "企业团体保险报价、批改"),
                    self.contact("理赔联络人", "大额和疑难理赔协调"),
                ]
                g.write(f"records/insurers/{code}.yaml", record)
            for p in PARTNERS:
                record = {k: v for k, v in p.items() if k != "contacts"}
                record["contacts"] = [self.contact(title, what) for title, what in p["contacts"]]
                g.write(f"records/partners/{p['code']}.yaml", record)

    def contact(self, title: str, handles: str) -> dict:
        g = self.g
        sex = self.rng.choice(["男", "女"])
        name = g.person_name(sex, g.birth(1975, 1995))
        return {
            "name": name,
            "title": title,
            "phone": f"0571-8888 7{self.rng.randrange(1000):03d}",
            "handles": handles,
        }
