"""The workbench in a real headless Chromium (Debian's chromium + chromedriver, as test_reports.py):
log in, filter and search, open a finding, waive and revoke it, run a check through the form, mark a
task done; what the pages show is checked against the database and the API, with no console errors."""

import json
import sqlite3
import urllib.parse

import pytest
from test_reports import _chromium
from webserver import SHARED, TOKENS, demo_db, start


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("webui")
    db = demo_db(folder)
    port, proc = start(db, folder)
    yield f"http://127.0.0.1:{port}", db, port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def console_errors(browser) -> list:
    return [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def wait_for(browser, condition, seconds: float = 30):
    """Wait for a navigation the test caused (a submitted form, a clicked link) to land."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds).until(condition)


def flash(browser) -> str:
    from selenium.webdriver.common.by import By

    return wait_for(browser, lambda b: b.find_elements(By.ID, "flash"))[0].text


def login(browser, base, token, name=None):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(base + "/findings")
    assert "/login" in browser.current_url  # nothing before logging in
    browser.find_element(By.NAME, "token").send_keys(token)
    if name:
        browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    # wait for the login to land (its cookie set) before the test navigates on
    WebDriverWait(browser, 30).until(lambda b: "/login" not in b.current_url)


def test_officer_filters_opens_waives_and_revokes(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, db, _ = served
    login(browser, base, TOKENS["officer"])
    assert browser.current_url.endswith("/findings")
    assert browser.find_element(By.ID, "who").text.startswith("张三")
    conn = sqlite3.connect(db)
    # filter by body through the menu (the page's script submits on change)
    Select(browser.find_element(By.NAME, "body")).select_by_visible_text("上海市司法局")
    wait_for(browser, lambda b: "body=" in b.current_url)
    expected = conn.execute("SELECT count(*) FROM findings WHERE body = '上海市司法局'").fetchone()[0]
    assert browser.find_element(By.ID, "total").text == f"共 {expected} 条"
    rows = browser.find_elements(By.CSS_SELECTOR, "#findings tr.finding")
    assert len(rows) == min(expected, 50)
    # search, partial and in Chinese
    browser.get(base + "/findings?" + urllib.parse.urlencode({"q": "滨海"}))
    binhai = conn.execute("SELECT count(*) FROM findings WHERE body LIKE '%滨海%'").fetchone()[0]
    assert browser.find_element(By.ID, "total").text == f"共 {binhai} 条"
    # the national and the local finding about one request are grouped under it
    heads = browser.find_elements(By.CSS_SELECTOR, "#findings tr.group-head")
    assert heads, "expected grouped national/local findings for 天津市滨海新区司法局"
    # open a finding that has a national and a local verdict on the same request
    fingerprint = conn.execute(
        "SELECT fingerprint FROM findings WHERE rule = 'ogi.request-reply' AND subject = 'BH-YSQ-2017-009'"
    ).fetchone()[0]
    browser.find_element(By.CSS_SELECTOR, f'tr[data-fingerprint="{fingerprint}"] a').click()
    wait_for(browser, lambda b: b.current_url.endswith(f"/findings/{fingerprint}"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("BH-YSQ-2017-009")
    assert "政府信息公开条例" in browser.find_element(By.ID, "article").text
    steps = browser.find_elements(By.CSS_SELECTOR, "#this-clock ol.steps li")
    assert any("工作日" in s.text for s in steps)
    assert browser.find_elements(
        By.CSS_SELECTOR, "#siblings li"
    )  # the local rule's verdict on the same request
    # waive it
    browser.find_element(By.CSS_SELECTOR, "#waive textarea[name=reason]").send_keys("申请人已撤回申请")
    browser.find_element(By.CSS_SELECTOR, "#waive input[name=until]").send_keys("03312025")
    browser.find_element(By.CSS_SELECTOR, "#waive button").click()
    assert flash(browser).startswith("已豁免")
    assert conn.execute(
        "SELECT by, reason, until FROM waivers WHERE fingerprint = ?", (fingerprint,)
    ).fetchone() == ("张三", "申请人已撤回申请", "2025-03-31")
    assert "申请人已撤回申请" in browser.find_element(By.ID, "waiver").text
    # revoke it (the form asks for confirmation)
    browser.find_element(By.CSS_SELECTOR, "#revoke input[name=reason]").send_keys("复核后不予豁免")
    browser.find_element(By.CSS_SELECTOR, "#revoke button").click()
    browser.switch_to.alert.accept()
    assert flash(browser).startswith("已撤销")
    assert (
        conn.execute("SELECT count(*) FROM waivers WHERE fingerprint = ?", (fingerprint,)).fetchone()[0] == 0
    )
    recorded = conn.execute(
        "SELECT user, action FROM actions WHERE target = ? ORDER BY id", (fingerprint,)
    ).fetchall()
    assert recorded == [("张三", "waive"), ("张三", "revoke")]
    shown = [
        r.get_attribute("data-action") for r in browser.find_elements(By.CSS_SELECTOR, "#actions tbody tr")
    ]
    assert shown == ["revoke", "waive"]  # newest first
    assert console_errors(browser) == []


def test_check_form_gives_the_api_answer(served, browser):
    import http.client

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, _, port = served
    login(browser, base, TOKENS["reader"])
    browser.get(base + "/check")
    fields = {
        "subject": "LY-2021-200",
        "body": "临沂市司法局",
        "department": "法制科",
        "doc_type": "政策文件",
        "文号": "临司发〔2021〕200号",
    }
    for name, value in fields.items():
        browser.find_element(By.NAME, name).send_keys(value)
    Select(browser.find_element(By.NAME, "disclosure")).select_by_visible_text("主动公开")
    Select(browser.find_element(By.NAME, "有效性")).select_by_visible_text("有效")
    # dates typed as a Chinese-locale browser takes them (the inputs' own formats)
    browser.execute_script("""
        const set = (n, v) => { document.getElementsByName(n)[0].value = v; };
        set('成文日期', '2021-09-24'); set('发布日期', '2021-10-18');
        set('issued_at', '2021-09-24T10:00'); set('publish_at', '2021-10-18T10:00');
        set('interpretation_at', '2021-10-25T10:00');""")
    browser.find_element(By.CSS_SELECTOR, "#check-form button").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "result-json"))
    shown = json.loads(browser.execute_script("return document.getElementById('result-json').textContent"))
    plan = json.loads(browser.execute_script("return document.getElementById('plan-json').textContent"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/v1/check",
        body=json.dumps(plan, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {SHARED}"},
    )
    answer = json.loads(conn.getresponse().read())
    assert shown == answer
    # 2021-09-24 issued, published 10-18: later than the 7 days 临沂 allows (linyi-2021.policy-publish-7d)
    assert answer["verdict"] in ("warn", "fail") and answer["findings"]
    verdict = browser.find_element(By.ID, "verdict").get_attribute("data-verdict")
    assert verdict == answer["verdict"]
    rules = {
        r.get_attribute("data-rule")
        for r in browser.find_elements(By.CSS_SELECTOR, "#check-findings tr[data-rule]")
    }
    assert rules == {f["rule"] for f in answer["findings"]}
    assert console_errors(browser) == []


def test_task_board_marks_a_task_done(served, browser):
    from selenium.webdriver.common.by import By

    base, db, _ = served
    login(browser, base, TOKENS["officer"])
    browser.get(base + "/tasks?" + urllib.parse.urlencode({"body": "上海市司法局"}))
    open_cards = browser.find_elements(By.CSS_SELECTOR, ".task[data-status=due_soon]")
    assert open_cards
    task_id = open_cards[0].get_attribute("data-task")
    open_cards[0].find_element(By.CSS_SELECTOR, "form.task-done button").click()
    browser.switch_to.alert.accept()
    assert task_id in flash(browser)
    conn = sqlite3.connect(db)
    event = conn.execute(
        "SELECT type, subject, time, body FROM events WHERE subject = ?", (task_id,)
    ).fetchone()
    assert (
        event[:2] == ("task.completed", task_id)
        and event[2].startswith("2024-12-31")
        and event[3] == "上海市司法局"
    )
    assert conn.execute("SELECT user, action FROM actions WHERE target = ?", (task_id,)).fetchall() == [
        ("张三", "task_done")
    ]

    def shown_done(b) -> bool:  # the board takes the stored event in, in the background: reload until it has
        b.refresh()
        return (
            b.find_element(By.CSS_SELECTOR, f'.task[data-task="{task_id}"]').get_attribute("data-status")
            == "on_time"
        )

    wait_for(browser, shown_done, 120)  # done by its due day (2024-12-31)
    assert console_errors(browser) == []


def test_reader_sees_no_write_forms_and_pages_have_no_console_errors(served, browser):
    from selenium.webdriver.common.by import By

    base, db, _ = served
    login(browser, base, TOKENS["reader"])
    fingerprint = sqlite3.connect(db).execute("SELECT fingerprint FROM findings LIMIT 1").fetchone()[0]
    browser.get(f"{base}/findings/{fingerprint}")
    assert not browser.find_elements(By.ID, "waive")
    for path in ("/", "/findings", "/tasks", "/check", "/rules", "/calendar?month=2024-09", "/runs", "/docs"):
        browser.get(base + path)
        assert console_errors(browser) == [], path
    browser.get(base + "/")
    assert browser.find_elements(By.CSS_SELECTOR, "#by-month rect")
    # the trend: every month from the first to the last, empty ones too, each at least the findings of the
    # database falling due in it (the chart also counts obligations met on time)
    ticks = {
        t.get_attribute("data-month"): int(t.get_attribute("data-total"))
        for t in browser.find_elements(By.CSS_SELECTOR, "#by-month line.tick")
    }
    months = sorted(ticks)
    years, firsts = int(months[0][:4]), int(months[0][5:])
    assert months == [
        f"{(years * 12 + firsts - 1 + i) // 12:04d}-{(firsts - 1 + i) % 12 + 1:02d}"
        for i in range(len(months))
    ]
    assert 0 in ticks.values()  # the demo's years have months with nothing due
    with sqlite3.connect(db) as conn:
        for month, n in conn.execute(
            "SELECT substr(due_day, 1, 7), count(*) FROM findings WHERE due_day IS NOT NULL "
            "AND status != 'undetermined' GROUP BY 1"
        ):
            assert ticks[month] >= n, month
    assert "%" in browser.find_element(By.ID, "rate").text
    # a deadline counted day by day, holidays named: 20 working days from 2017-03-16 cross 清明 2017 (04-02..04
    # off, Sat 04-01 worked: 国办发明电〔2016〕17号)
    fingerprint = conn.execute(
        "SELECT fingerprint FROM findings WHERE rule = 'ogi.request-reply' AND subject = 'BH-YSQ-2017-005'"
    ).fetchone()[0]
    browser.get(f"{base}/findings/{fingerprint}")
    steps = [
        (li.get_attribute("class"), li.get_attribute("textContent"))
        for li in browser.find_elements(By.CSS_SELECTOR, "#this-clock ol.steps li")
    ]
    assert any(
        kind == "holiday" and text.startswith("2017-04-03") and "清明" in text for kind, text in steps
    ), steps
    assert any(
        kind == "makeup" and text.startswith("2017-04-01") and "上班" in text for kind, text in steps
    ), steps
    browser.get(base + "/calendar?month=2024-09")
    assert (
        browser.find_element(By.CSS_SELECTOR, '[data-date="2024-09-14"]').get_attribute("data-kind")
        == "makeup"
    )
    assert "中秋" in browser.find_element(By.CSS_SELECTOR, '[data-date="2024-09-16"]').text


def stored_by_body(db) -> dict:
    """The latest run's obligation counts summed per body, as the overview's 合计 rows should show them."""
    from engine.tally import ObligationCounts

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT body, department, rule, month, on_time, late, overdue, open, undetermined "
            "FROM obligation_counts WHERE run_id = (SELECT max(id) FROM runs)"
        ).fetchall()
    return ObligationCounts.from_rows(rows).by(lambda k: k[0])


def test_overview_rates_are_the_runs_stored_counts(served, browser):
    """总览's on-time rates are the ones the run stored (obligation_counts), the same the run's HTML and
    xlsx reports print (tests/test_obligation_counts.py), per body and for a chosen body and months."""
    from selenium.webdriver.common.by import By

    base, db, _ = served
    login(browser, base, TOKENS["reader"])
    browser.get(base + "/")
    assert browser.find_elements(By.ID, "rates-stored")
    shown = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#by-department tr[data-body-total]"):
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        shown[row.get_attribute("data-body-total")] = [int(c) for c in cells[2:7]] + [cells[7]]
    want = {
        body: [t.judged, t.on_time, t.late, t.overdue, t.open, t.rate_text]
        for body, t in stored_by_body(db).items()
    }
    assert shown == want and len(want) >= 4
    total = sum(t.judged for t in stored_by_body(db).values())
    assert browser.find_element(By.CSS_SELECTOR, "#totals .card b").text == str(total)
    # one body, one quarter: the stored rows of those months only
    browser.get(
        base + "/?" + urllib.parse.urlencode({"body": "上海市司法局", "start": "2024-04", "end": "2024-06"})
    )
    with sqlite3.connect(db) as conn:
        on_time, judged = conn.execute(
            "SELECT sum(on_time), sum(on_time + late + overdue) FROM obligation_counts WHERE run_id = "
            "(SELECT max(id) FROM runs) AND body = '上海市司法局' AND month BETWEEN '2024-04' AND '2024-06'"
        ).fetchone()
    assert judged > 0
    assert browser.find_element(By.ID, "rate").text == f"{100 * on_time / judged:.1f}%（{on_time}/{judged}）"
    assert console_errors(browser) == []
