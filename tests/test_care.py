"""Client care: festival dates (lunar ones through lunardate), birthdays, the coming week's
greeting queue with its suggested messages, `baodan greet`, and follow-up visits by tier."""

from __future__ import annotations

from datetime import date

import lunardate
import pytest
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.domain import care
from baodan.models import ClientFile

from . import factories as f
from .helpers import read_record, run_cli


def _festivals(year: int) -> dict[str, date]:
    return {code: day for day, code in care.holidays(year, Rules())}


def test_lunar_festivals_fall_on_the_right_gregorian_dates():
    y26, y27 = _festivals(2026), _festivals(2027)
    assert y26["spring_festival"] == date(2026, 2, 17)
    assert y27["spring_festival"] == date(2027, 2, 6)
    assert y26["mid_autumn"] == date(2026, 9, 25)
    assert y27["mid_autumn"] == date(2027, 9, 15)
    for year, days in ((2026, y26), (2027, y27)):
        assert days["lantern"] == lunardate.LunarDate(year, 1, 15).to_solar_date()
        assert days["dragon_boat"] == lunardate.LunarDate(year, 5, 5).to_solar_date()
        assert days["national_day"] == date(year, 10, 1)
        assert days["new_year"] == date(year, 1, 1)
    assert (y26["lantern"], y26["dragon_boat"]) == (date(2026, 3, 3), date(2026, 6, 19))
    assert (y27["lantern"], y27["dragon_boat"]) == (date(2027, 2, 20), date(2027, 6, 9))


def test_birthday_from_id_number_or_record_and_29_february():
    from_id = f.client("c-1", id_number=f.resident_id("19800229"))
    assert care.birthday_in(from_id, 2028) == date(2028, 2, 29)
    assert care.birthday_in(from_id, 2027) == date(2027, 2, 28)
    recorded = f.client("c-2", birth_date=date(1980, 3, 20))
    assert care.birthday_in(recorded, 2026) == date(2026, 3, 20)
    company = f.client("c-3", "杭州测试有限公司", kind="company")
    assert care.birthday_in(company, 2026) is None


def _firm():
    people = [
        ClientFile(f.client("c-zhang", "张伟", id_number=f.resident_id("19800210"))),
        ClientFile(f.client("c-ouyang", "欧阳娜", sex="女", tier="A")),
        ClientFile(f.client("c-co", "杭州测试有限公司", kind="company")),
        ClientFile(f.client("c-left", "李四", left_on=date(2025, 1, 1))),
    ]
    return f.firm(*people)


def test_greeting_queue_for_the_week_before_spring_festival_2026(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-02-10")  # 春节 (17 Feb) is 8 days away
    queue = care.greeting_queue(_firm(), today())
    assert [(g.day, g.occasion, g.cf.client.id) for g in queue] == [
        (date(2026, 2, 10), "birthday", "c-zhang")  # born 1980-02-10, from the ID number
    ]
    monkeypatch.setenv("BAODAN_TODAY", "2026-02-11")  # the week 11–17 February
    queue = care.greeting_queue(_firm(), today())
    assert [(g.day, g.occasion, g.cf.client.id) for g in queue] == [
        (date(2026, 2, 17), "spring_festival", c) for c in ("c-co", "c-ouyang", "c-zhang")
    ]  # the client who left gets nothing
    messages = {(g.occasion, g.cf.client.id): g.message for g in queue}
    assert messages[("spring_festival", "c-zhang")].startswith("张先生，新春快乐！测试公司")
    assert "马年大吉" in messages[("spring_festival", "c-zhang")]
    assert messages[("spring_festival", "c-ouyang")].startswith("欧阳女士")
    assert messages[("spring_festival", "c-co")].startswith("杭州测试有限公司：")
    assert all("王芳" in m for m in messages.values())


def test_greeting_queue_in_2027_uses_2027_dates(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2027-02-01")
    queue = care.greeting_queue(_firm(), today())
    assert {(g.day, g.occasion) for g in queue} == {(date(2027, 2, 6), "spring_festival")}
    assert all("羊年大吉" in g.message for g in queue)
    monkeypatch.setenv("BAODAN_TODAY", "2026-09-20")
    days = {(g.day, g.occasion) for g in care.greeting_queue(_firm(), today())}
    assert days == {(date(2026, 9, 25), "mid_autumn")}


def test_a_logged_greeting_marks_the_queue_entry_sent(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-02-12")
    firm = _firm()
    firm.clients["c-ouyang"].interactions.append(
        f.interaction(date(2026, 2, 11), "greeting", occasion="spring_festival")
    )
    sent = {g.cf.client.id: g.sent is not None for g in care.greeting_queue(firm, today())}
    assert sent == {"c-ouyang": True, "c-zhang": False, "c-co": False}


def test_greet_command_logs_a_greeting_and_the_queue_shows_it(firm, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-12-30")
    client_dir = min(firm.root.glob("records/clients/*/client.yaml.age")).parent
    cid = client_dir.name
    code, out, err = run_cli(capsys, "greetings")
    assert code == 0, err
    assert f"baodan greet {cid} --occasion new_year" in out.replace("\n", "")
    code, out, err = run_cli(capsys, "greet", cid, "--occasion", "元旦", "--channel", "sms")
    assert code == 0, err
    assert "已记录问候" in out and "2027年" in out  # for the coming New Year, not this one
    (path,) = (firm.root / f"records/clients/{cid}/interactions").glob("2026-12-30-1-*.yaml.age")
    text = read_record(firm.root, path.relative_to(firm.root).as_posix(), firm.identities)
    assert "kind: greeting" in text and "occasion: new_year" in text and "channel: sms" in text
    code, out, _ = run_cli(capsys, "greetings")
    assert "已发送 2026-12-30" in out


def test_greet_names_the_occasions_on_a_typo(firm, capsys):
    cid = min(firm.root.glob("records/clients/*/client.yaml.age")).parent.name
    code, _out, err = run_cli(capsys, "greet", cid, "--occasion", "圣诞节")
    assert code == 1
    assert "没有节日“圣诞节”" in err and "spring_festival（春节）" in err


@pytest.mark.parametrize(
    ("tier", "last_visit", "due"),
    [("A", date(2026, 10, 1), date(2026, 11, 30)), ("C", date(2026, 6, 1), date(2026, 11, 28))],
)
def test_visit_plan_uses_the_tier_interval(tier, last_visit, due, monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    cf = ClientFile(f.client("c-1", tier=tier))
    cf.interactions = [f.interaction(last_visit, "visit")]
    [visit] = care.visit_plan(f.firm(cf), today())
    assert (visit.last, visit.due) == (last_visit, due)


def test_visit_plan_flags_clients_never_visited_and_skips_those_not_due(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    never = ClientFile(f.client("c-never", tier="B"))
    fresh = ClientFile(f.client("c-fresh", tier="B"))
    fresh.interactions = [f.interaction(date(2026, 11, 1), "visit")]
    plan = care.visit_plan(f.firm(never, fresh), today())
    assert [(v.cf.client.id, v.due, v.last) for v in plan] == [
        ("c-never", date(2026, 11, 27), None)
    ]


def test_survey_and_lecture_attendance_commands(firm, capsys):
    clients = sorted(p.parent.name for p in firm.root.glob("records/clients/*/client.yaml.age"))
    lecture = "2026-03-21-claims-howto"
    code, out, err = run_cli(capsys, "attend", lecture, *clients)
    assert code == 0 and "位客户出席" in out, err
    code, out, err = run_cli(capsys, "attend", lecture, *clients)  # again: nothing doubled
    assert f"已记录 0 位客户出席。{len(clients)} 位之前已记录，跳过。" in out
    cid = clients[0]
    folder = firm.root / f"records/clients/{cid}/interactions"
    [name] = [
        p.name.removesuffix(".yaml.age")
        for p in folder.glob("2026-03-21-*.yaml.age")
        if f"lecture: {lecture}"
        in read_record(firm.root, p.relative_to(firm.root).as_posix(), firm.identities)
    ]
    code, out, err = run_cli(
        capsys,
        "survey",
        cid,
        "--score",
        "4",
        "--nps",
        "9",
        "--about",
        name,
        "--comment",
        "讲得清楚",
    )
    assert code == 0, err
    [path] = folder.glob("2026-11-27-*.yaml.age")
    text = read_record(firm.root, path.relative_to(firm.root).as_posix(), firm.identities)
    assert "score: 4" in text and "nps: 9" in text and f"about: {name}" in text
    code, out, err = run_cli(capsys, "survey", cid, "--score", "4", "--about", "cl-nothere")
    assert code == 1 and "没有理赔或互动记录“cl-nothere”" in err


def test_check_catches_bad_service_references(firm, capsys):
    from .helpers import write_record

    cid = min(firm.root.glob("records/clients/*/client.yaml.age")).parent.name
    base = f"records/clients/{cid}/interactions"
    bad = {
        "2020-01-01-7": "kind: greeting\noccasion: christmas\n",
        "2020-01-01-8": "kind: survey\nsurvey:\n  score: 5\n  about: cl-missing\n",
        "2020-01-01-9": "kind: lecture\nlecture: 2020-01-01-no-such-talk\n",
    }
    for name, body in bad.items():
        text = f"date: 2020-01-01\nstaff: wang-fang\nchannel: phone\nsummary: x\n{body}"
        write_record(firm.root, f"{base}/{name}.yaml.age", text, firm.identities)
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    assert "2020-01-01-7.yaml.age: 字段 occasion: 不认识的问候节日“christmas”" in err
    assert "2020-01-01-8.yaml.age: 字段 survey.about: 这位客户没有理赔或互动记录“cl-missing”" in err
    assert "2020-01-01-9.yaml.age: 字段 lecture: 没有讲座“2020-01-01-no-such-talk”" in err


def test_greetings_page_counts_a_new_year_greeting_sent_on_31_december_for_that_new_year():
    from baodan.web.context import TEMPLATES, SiteContext, make_env
    from baodan.web.service_pages import care_pages

    def greeted(cid: str, day: date) -> ClientFile:
        wish = f.interaction(day, "greeting", occasion="new_year")
        return ClientFile(client=f.client(cid), interactions=[wish])

    firm = f.firm(greeted("c-1", date(2025, 12, 31)), greeted("c-2", date(2026, 1, 1)))
    ctx = SiteContext(firm, date(2026, 11, 27), True, make_env(TEMPLATES))
    page = next(p for p in care_pages(ctx) if p.uri == "staff/care/greetings.md")
    counts = page.content.split("## 近 12 个月发送的问候")[1].split("##")[0]
    assert "| 2026 | 元旦 | 2 |" in counts
    assert "2025" not in counts  # no New Year of 2025 was greeted in the last 12 months
