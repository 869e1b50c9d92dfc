"""Write the example event logs in examples/<body>/events.jsonl (fixed seed, committed).

Each body gets a year of synthetic but realistic events for the obligations in its rule pack:
documents issued and published, interpretations, normative-document submissions, consultations,
information requests (supplements, third-party consultations, extensions), incidents, public-opinion
responses, interviews, open days, leader activities, annual reports and task completions. Most
obligations are met; a deliberate share is late or never done, and a few showcase cases sit on
holidays with make-up working days (see examples/README.md).

Run: .venv/bin/python examples/generate.py   (rewrites the four logs; same output every time)
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from engine.calendar import load_calendar

HERE = Path(__file__).resolve().parent
CAL = load_calendar()


@dataclass
class Body:
    key: str
    name: str
    year: int
    prefix: str
    departments: list[str]
    docs: int
    requests: int
    incidents: int
    opinions: int
    consultations: int
    counts: dict[str, int] = field(default_factory=dict)  # event type -> how many this year
    tasks: list[str] = field(default_factory=list)  # task ids from the pack's task list
    report_late: bool = False


BODIES = [
    Body(
        "shanghai-2024",
        "上海市司法局",
        2024,
        "SH",
        ["办公室", "立法一处", "执法监督处", "公服处", "普法治理处", "律工处", "仲裁处", "信息处", "宣传处"],
        docs=90,
        requests=70,
        incidents=3,
        opinions=8,
        consultations=4,
        counts={"public_attendance.held": 1, "leader.briefing": 0},
    ),
    Body(
        "linyi-2021",
        "临沂市司法局",
        2021,
        "LY",
        ["办公室", "法制科", "律师管理科", "公证管理科", "普法科"],
        docs=60,
        requests=45,
        incidents=2,
        opinions=5,
        consultations=6,
        counts={"decision_catalog.published": 1},
    ),
    Body(
        "binhai-2017",
        "天津市滨海新区司法局",
        2017,
        "BH",
        ["办公室", "政研室", "律管处", "公管处", "法援处", "基层处", "法宣处"],
        docs=45,
        requests=40,
        incidents=4,
        opinions=4,
        consultations=2,
    ),
    Body(
        "jiangsu-2018",
        "江苏省司法厅",
        2018,
        "JS",
        ["办公室", "法制处", "宣教处", "行政审批处", "12348中心", "法宣处"],
        docs=80,
        requests=55,
        incidents=2,
        opinions=6,
        consultations=3,
        counts={"interview.held": 3, "open_day.held": 1, "leader.interpretation": 3},
        report_late=True,
    ),
]


class Log:
    def __init__(self, body: Body):
        self.body, self.events, self.n = body, [], 0

    def add(
        self, type_: str, subject: str, when: dt.datetime | dt.date, department: str = "", **attrs
    ) -> None:
        self.n += 1
        time = when.isoformat(timespec="minutes") if isinstance(when, dt.datetime) else when.isoformat()
        self.events.append(
            {
                "id": f"{self.body.prefix}{self.body.year}-E{self.n:05d}",
                "type": type_,
                "subject": subject,
                "time": time,
                "body": self.body.name,
                "department": department or self.body.departments[0],
                **attrs,
            }
        )


def at(day: dt.date, rng: random.Random, start: int = 9, end: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(start, end - 1), rng.choice([0, 10, 20, 30, 40, 50])))


def working_day(rng: random.Random, year: int, first_month: int = 1, last: dt.date | None = None) -> dt.date:
    start = dt.date(year, first_month, 1)
    end = last or dt.date(year, 12, 15)
    day = dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))
    return CAL.next_working_day(day, include_self=True)


# why a document is not proactively disclosed, stated when it is drafted (临沂 2021 第4项); one in nine has none
REASONS = {"依申请公开": "仅涉及特定申请人，依申请提供", "不予公开": "属于内部事务信息（条例第十六条）"}
REMEDY = "如对本答复不服，可自收到之日起60日内申请行政复议，或6个月内提起行政诉讼"


def outcome(rng: random.Random) -> str:
    roll = rng.random()
    return "on_time" if roll < 0.82 else "late" if roll < 0.95 else "never"


def documents(log: Log, rng: random.Random) -> None:
    b = log.body
    for i in range(1, b.docs + 1):
        subject = f"{b.prefix}-{b.year}-{i:03d}"
        dept = rng.choice(b.departments)
        doc_type = rng.choices(["政策文件", "规范性文件", "其他文件"], [5, 2, 3])[0]
        disclosure = rng.choices(["主动公开", "依申请公开", "不予公开"], [8, 1, 1])[0]
        issued = working_day(rng, b.year, last=dt.date(b.year, 11, 30))
        reason = {} if disclosure == "主动公开" or i % 9 == 4 else {"不予公开理由": REASONS[disclosure]}
        log.add(
            "document.issued",
            subject,
            at(issued, rng),
            dept,
            doc_type=doc_type,
            disclosure=disclosure,
            文号=f"{b.prefix}司发〔{b.year}〕{i}号",
            成文日期=issued.isoformat(),
            **reason,
        )
        if disclosure != "主动公开":
            continue
        fate = outcome(rng)
        if fate == "never" and i % 3:
            fate = "late"
        delay = {"on_time": rng.randint(1, 5), "late": rng.randint(9, 30), "never": None}[fate]
        if delay is None:
            continue
        published = CAL.add_days(issued, delay)
        fields = {
            "文号": f"{b.prefix}司发〔{b.year}〕{i}号",
            "成文日期": issued.isoformat(),
            "发布日期": published.isoformat(),
            "有效性": "有效",
        }
        if rng.random() < 0.08:
            fields.pop(rng.choice(["成文日期", "有效性"]))
        log.add(
            "document.published",
            subject,
            at(published, rng),
            dept,
            doc_type=doc_type,
            disclosure=disclosure,
            **fields,
        )
        if doc_type == "规范性文件" and b.key == "jiangsu-2018":
            submit = CAL.add_working_days(issued, rng.choice([2, 3, 4, 5, 5, 6, 8]))
            log.add("normative.submitted", subject, at(submit, rng), "法制处")
        if doc_type in ("政策文件", "规范性文件"):
            interpretation(log, rng, subject, published, dept)


def interpretation(log: Log, rng: random.Random, policy: str, published: dt.date, dept: str) -> None:
    fate = outcome(rng)
    if fate == "never":
        return
    if log.body.key == "shanghai-2024":  # 三同步: the same day, or a day later when late
        day = published if fate == "on_time" else CAL.add_days(published, 1, roll=False)
    else:
        day = CAL.add_working_days(published, rng.randint(1, 3) if fate == "on_time" else rng.randint(4, 8))
    link = {} if rng.random() < 0.05 else {"policy": policy}
    log.add("interpretation.published", f"{policy}-JD", at(day, rng), dept, **link)


def requests(log: Log, rng: random.Random) -> None:
    b = log.body
    limit = 15 if b.year < 2019 else 20
    for i in range(1, b.requests + 1):
        subject = f"{b.prefix}-YSQ-{b.year}-{i:03d}"
        received = at(working_day(rng, b.year, last=dt.date(b.year, 11, 20)), rng)
        log.add("request.received", subject, received, "办公室")
        start = received.date()
        kind = rng.random()
        if kind < 0.12:  # unclear application: supplement requested, received, clock restarts
            asked = CAL.add_working_days(start, rng.randint(2, 7))
            log.add("supplement.requested", subject, at(asked, rng), "办公室")
            start = CAL.add_days(asked, rng.randint(5, 15))
            log.add("supplement.received", subject, at(start, rng), "办公室")
        budget = limit
        if 0.12 <= kind < 0.22:  # third party consulted: the pause is not counted
            consulted = CAL.add_working_days(start, rng.randint(3, 8))
            replied = CAL.add_working_days(consulted, rng.randint(4, 15))
            log.add("third_party.consulted", subject, at(consulted, rng), "办公室")
            log.add("third_party.replied", subject, at(replied, rng), "办公室")
            budget += CAL.working_days_between(consulted, replied)
        if 0.22 <= kind < 0.30:  # extension approved
            ext = CAL.add_working_days(start, limit - rng.randint(1, 4))
            days = rng.choice([limit, limit, limit + 10])
            log.add("extension.approved", subject, at(ext, rng), "办公室", days=days)
            budget += limit
        fate = outcome(rng)
        if fate == "never":
            continue
        offset = rng.randint(max(1, budget - 10), budget) if fate == "on_time" else budget + rng.randint(1, 6)
        remedy = {"救济渠道": REMEDY} if b.key == "binhai-2017" and i % 13 != 5 else {}  # 滨海 2017 第16项
        log.add("request.replied", subject, at(CAL.add_working_days(start, offset), rng), "办公室", **remedy)


def incidents_and_opinions(log: Log, rng: random.Random) -> None:
    b = log.body
    for i in range(1, b.incidents + 1):
        subject = f"{b.prefix}-TF-{b.year}-{i:02d}"
        when = dt.datetime.combine(
            dt.date(b.year, rng.randint(7, 11), rng.randint(1, 28)),
            dt.time(rng.randint(0, 23), rng.choice([5, 25, 45])),
        )
        level = rng.choice(["重大", "重大", "一般"])
        log.add(
            "incident.occurred",
            subject,
            when,
            "宣传处" if "宣传处" in b.departments else "办公室",
            level=level,
        )
        log.add(
            "info.released", subject, when + dt.timedelta(minutes=rng.choice([90, 200, 280, 340])), "办公室"
        )
        if i % 2:
            log.add(
                "press_conference.held",
                subject,
                when + dt.timedelta(hours=rng.choice([8, 20, 23, 30])),
                "办公室",
            )
    for i in range(1, b.opinions + 1):
        subject = f"{b.prefix}-YQ-{b.year}-{i:02d}"
        when = dt.datetime.combine(working_day(rng, b.year), dt.time(rng.randint(8, 22), 15))
        log.add("opinion.detected", subject, when, "办公室")
        log.add(
            "opinion.responded", subject, when + dt.timedelta(hours=rng.choice([6, 20, 40, 47, 52])), "办公室"
        )


def consultations(log: Log, rng: random.Random) -> None:
    b = log.body
    for i in range(1, b.consultations + 1):
        subject = f"{b.prefix}-ZQ-{b.year}-{i:02d}"
        opened = working_day(
            rng, b.year, first_month=7 if b.key == "linyi-2021" else 1, last=dt.date(b.year, 10, 31)
        )
        log.add(
            "consultation.opened",
            subject,
            opened,
            "法制处" if "法制处" in b.departments else b.departments[1],
        )
        span = rng.choice([30, 31, 35, 45, 21])
        log.add(
            "consultation.closed", subject, dt.date.fromordinal(opened.toordinal() + span), b.departments[1]
        )
        feedback = (
            {
                "意见收集情况": f"收到意见{8 + 3 * i}条",
                "意见采纳情况": f"采纳{5 + i}条",
                "未予采纳的理由": "与上位法规定不一致",
            }
            if b.key == "linyi-2021" and i != 4
            else {}
        )  # 临沂 2021 第2项
        log.add("feedback.published", subject, CAL.add_days(opened, span + 10), b.departments[1], **feedback)


def periodic(log: Log, rng: random.Random) -> None:
    b = log.body
    for event_type, count in b.counts.items():
        for i in range(1, count + 1):
            log.add(
                event_type,
                f"{b.prefix}-{event_type.split('.')[0].upper()}-{i}",
                working_day(rng, b.year),
                "办公室",
            )
    # the previous year's annual report: under the version in force for that year
    due = dt.date(b.year, 1 if b.year - 1 >= 2019 else 3, 31)
    published = CAL.add_days(due, 12, roll=False) if b.report_late else CAL.previous_working_day(due)
    log.add("annual_report.published", f"{b.prefix}-NB-{b.year - 1}", published, "办公室", year=b.year - 1)


def tasks(log: Log, rng: random.Random, pack_dir: Path) -> None:
    import yaml

    path = pack_dir / "tasks.yaml"
    if not path.exists():
        return
    for task in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"][0]["tasks"]:
        if not task.get("due"):
            continue
        due = dt.date.fromisoformat(str(task["due"]))
        fate = outcome(rng)
        if fate == "never":
            continue
        day = (
            CAL.add_days(due, -rng.randint(0, 20), roll=False)
            if fate == "on_time"
            else CAL.add_days(due, rng.randint(1, 25), roll=False)
        )
        if day.year == log.body.year:
            log.add(
                "task.completed",
                task["id"],
                day,
                (task.get("lead") or task.get("responsible") or ["办公室"])[0],
            )


def showcase(log: Log) -> None:
    """Hand-placed cases around holidays, named in examples/README.md."""
    b = log.body
    if b.key == "linyi-2021":
        # issued Thu 2021-09-30: 7 days -> 10-07 (国庆节) rolls to 10-08, published that day: on time;
        # interpretation 3 wd after 10-08 -> 10-09 (Sat, make-up), 10-11, 10-12; published 10-13: late
        log.add(
            "document.issued",
            "LY-2021-SHOW",
            dt.datetime(2021, 9, 30, 10),
            "法制科",
            doc_type="政策文件",
            disclosure="主动公开",
        )
        log.add(
            "document.published",
            "LY-2021-SHOW",
            dt.datetime(2021, 10, 8, 15),
            "法制科",
            doc_type="政策文件",
            disclosure="主动公开",
            文号="临司发〔2021〕99号",
            成文日期="2021-09-30",
            发布日期="2021-10-08",
            有效性="有效",
        )
        log.add(
            "interpretation.published",
            "LY-2021-SHOW-JD",
            dt.datetime(2021, 10, 13, 9),
            "法制科",
            policy="LY-2021-SHOW",
        )
        # published without 有效性 and 成文日期
        log.add(
            "document.published",
            "LY-2021-SHOW2",
            dt.datetime(2021, 11, 1, 10),
            "普法科",
            doc_type="规范性文件",
            disclosure="依申请公开",
            文号="临司发〔2021〕100号",
            发布日期="2021-11-01",
        )
    if b.key == "jiangsu-2018":
        # published Fri 2018-09-28: 3 wd -> 09-29 (Sat) and 09-30 (Sun) are make-up days -> due 10-08
        log.add(
            "document.published",
            "JS-2018-SHOW",
            dt.datetime(2018, 9, 28, 10),
            "法制处",
            doc_type="政策文件",
            disclosure="主动公开",
        )
        log.add(
            "interpretation.published",
            "JS-2018-SHOW-JD",
            dt.datetime(2018, 10, 9, 10),
            "法制处",
            policy="JS-2018-SHOW",
        )
    if b.key == "shanghai-2024":
        # received Fri 2024-09-27: 20 wd counting 09-29 and 10-12 (make-up days) -> due 10-30; replied 10-31
        log.add("request.received", "SH-YSQ-2024-SHOW", dt.datetime(2024, 9, 27, 16), "办公室")
        log.add("request.replied", "SH-YSQ-2024-SHOW", dt.datetime(2024, 10, 31, 10), "办公室")
    if b.key == "binhai-2017":
        # major incident during the 2017 National Day holiday: 5 h -> 13:00, released 14:10
        log.add(
            "incident.occurred", "BH-TF-2017-SHOW", dt.datetime(2017, 10, 3, 8), "办公室", level="特别重大"
        )
        log.add("info.released", "BH-TF-2017-SHOW", dt.datetime(2017, 10, 3, 14, 10), "办公室")
        log.add("press_conference.held", "BH-TF-2017-SHOW", dt.datetime(2017, 10, 4, 7), "办公室")


def reviews_releases_statistics(log: Log) -> None:
    """The events of the order and recurrence rules, after all others (their own random stream, so that the
    ids and times of the events above stay as they were): 保密审查 before each publication (上海), releases
    every few hours while an incident lasts and its closing (滨海新区), monthly statistics updates (临沂)."""
    b = log.body
    rng = random.Random(f"shixian-{b.key}-kinds")
    if (
        b.key == "shanghai-2024"
    ):  # 先审查、后公开: most reviewed 1-3 working days before, a few after or never
        for k, e in enumerate(e for e in log.events if e["type"] == "document.published"):
            published = dt.datetime.fromisoformat(e["time"])
            if k % 25 == 7:  # never reviewed
                continue
            day = CAL.add_working_days(published.date(), 1 if k % 30 == 11 else -rng.randint(1, 3))
            log.add("document.reviewed", e["subject"], at(day, rng), e["department"])
    if b.key == "binhai-2017":  # 持续发布权威信息 until the incident is closed; one gap too long
        for e in [e for e in log.events if e["type"] == "incident.occurred"]:
            releases = sorted(
                x["time"] for x in log.events if x["type"] == "info.released" and x["subject"] == e["subject"]
            )
            last = (
                dt.datetime.fromisoformat(releases[-1]) if releases else dt.datetime.fromisoformat(e["time"])
            )
            for _ in range(rng.randint(1, 3)):
                gap = 30 if e["subject"] == "BH-TF-2017-SHOW" and _ == 0 else rng.choice([6, 12, 18, 22])
                last = last + dt.timedelta(hours=gap)
                log.add("info.released", e["subject"], last, "办公室")
            log.add(
                "incident.closed", e["subject"], last + dt.timedelta(hours=rng.choice([2, 8, 20])), "办公室"
            )
    if b.key == "shanghai-2024":  # the year's 重大行政决策事项目录 by 03-31 (a due_by rule, no longer a task)
        log.add(
            "decision_catalog.published",
            f"{b.prefix}-JCML-{b.year}",
            dt.datetime(b.year, 3, 28, 10),
            "法治调研处",
            year=b.year,
        )
    if b.key == "jiangsu-2018":
        # 第21项: 41 approval services listed by the end of May, 33 of them online (80.5%) by 06-30
        for k in range(1, 42):
            log.add(
                "service.listed",
                f"{b.prefix}-FW-{k:03d}",
                at(working_day(rng, b.year, last=dt.date(b.year, 5, 31)), rng),
                "行政审批处",
                网上办="是" if k <= 33 else "否",
            )
        log.add(
            "assessment.weight_set",
            f"{b.prefix}-KH-{b.year}",
            dt.datetime(b.year, 3, 15, 10),
            "办公室",
            权重="5%",
        )
        # 第4项 and 第15项, subordinate bodies (the pack's bodies:): 苏州 and 戒毒局 late, rolled up to 江苏省司法厅
        for body, day in (
            ("南京市司法局", 16),
            ("苏州市司法局", 26),
            ("江苏省监狱管理局", 19),
            ("江苏省戒毒管理局", 19),
        ):
            log.add(
                "catalog.compiled",
                f"{b.prefix}-ML-{body}",
                dt.datetime(b.year, 3, day, 15),
                "办公室",
                body=body,
            )
            # their own 2017 annual reports (2008 Regulation 第三十一条, by 03-31), so that their log is whole
            log.add(
                "annual_report.published",
                f"{b.prefix}-NB-{b.year - 1}-{body}",
                dt.date(b.year, 3, 28),
                "办公室",
                body=body,
                year=b.year - 1,
            )
        log.add(
            "opinion_monitoring.established",
            f"{b.prefix}-YQ-监狱局",
            dt.datetime(b.year, 3, 30, 10),
            "办公室",
            body="江苏省监狱管理局",
        )
        log.add(
            "opinion_monitoring.established",
            f"{b.prefix}-YQ-戒毒局",
            dt.datetime(b.year, 4, 10, 10),
            "办公室",
            body="江苏省戒毒管理局",
        )
    if b.key == "linyi-2021":  # 定期更新统计数据: monthly from July, October's a few days late
        for month in range(7, 13):
            day = CAL.next_working_day(dt.date(b.year, month, 5 if month != 10 else 25), include_self=True)
            log.add("statistics.updated", f"{b.prefix}-TJ-{b.year}-{month:02d}", at(day, rng), "办公室")


def generate(body: Body) -> list[dict]:
    rng = random.Random(f"shixian-{body.key}")
    log = Log(body)
    documents(log, rng)
    requests(log, rng)
    incidents_and_opinions(log, rng)
    consultations(log, rng)
    periodic(log, rng)
    tasks(log, rng, HERE.parent / "rules" / body.key)
    showcase(log)
    reviews_releases_statistics(log)
    return log.events


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="write the example event logs")
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write <body>/events.jsonl into")
    args = parser.parse_args(argv)
    for body in BODIES:
        out = args.out / body.key / "events.jsonl"
        out.parent.mkdir(exist_ok=True)
        events = generate(body)
        with open(out, "w", encoding="utf-8") as stream:
            for event in events:
                stream.write(json.dumps(event, ensure_ascii=False) + "\n")
        print(f"{out}: {len(events)} events")


if __name__ == "__main__":
    main()
