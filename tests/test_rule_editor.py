"""The rule editor in a real headless Chromium: type an error and see it at its line, fix it, run the
file's tests, a save refused while the file has errors, a save that is written, recorded and reloaded."""

import shutil
import sqlite3
import subprocess
import sys

import pytest
import test_web_browser
from conftest import ROOT, wait_for_http
from test_web_browser import console_errors, login
from webserver import TOKENS, demo_db, free_port

browser = test_web_browser.browser  # the workbench tests' headless Chromium fixture


@pytest.fixture(scope="module")
def editing(tmp_path_factory):
    """A server whose rules are a copy of the 临沂 pack, so saving writes to the copy."""
    folder = tmp_path_factory.mktemp("editor")
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules" / "linyi-2021", rules / "linyi-2021")
    db = demo_db(folder)
    users = folder / "users.yaml"
    users.write_text(
        f"users:\n  - {{name: 王五, role: admin, token: {TOKENS['admin']}}}\n"
        f"  - {{name: 李四, role: read, token: {TOKENS['reader']}}}\n",
        encoding="utf-8",
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--users",
            str(users),
            "--rules",
            str(rules),
            "--no-bundled-rules",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if not wait_for_http(port):
        proc.kill()
        raise AssertionError(proc.stderr.read().decode())
    yield f"http://127.0.0.1:{port}", db, rules / "linyi-2021" / "plan.yaml"
    proc.terminate()
    proc.wait(timeout=10)


def _wait(browser, condition, seconds=60):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(browser, seconds).until(lambda driver: condition())
    except TimeoutException:
        shown = browser.execute_script(
            "return ['status', 'saved', 'cases', 'problems'].map("
            "id => id + ': ' + (document.getElementById(id) || {}).textContent).join('\\n')"
        )
        raise AssertionError(f"the page did not get there; it shows:\n{shown}") from None


def _put_caret_after(browser, needle: str) -> int:
    """Caret just after the first `needle` in the textarea; returns its 1-based line."""
    return browser.execute_script(
        """
        const area = document.querySelector('#rule-editor textarea');
        const at = area.value.indexOf(arguments[0]) + arguments[0].length;
        area.focus(); area.setSelectionRange(at, at);
        return area.value.slice(0, at).split('\\n').length;""",
        needle,
    )


def test_type_an_error_see_it_at_its_line_fix_it_run_tests_and_save(editing, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, db, plan = editing
    original = plan.read_text(encoding="utf-8")
    login(browser, base, TOKENS["admin"])
    browser.get(base + "/rules/edit?file=" + str(plan))
    editor = browser.find_element(By.ID, "rule-editor")
    area = editor.find_element(By.TAG_NAME, "textarea")
    _wait(browser, lambda: editor.get_attribute("data-state") == "ok")
    assert browser.find_element(By.ID, "status").text == "没有错误"
    # type an error: 7d -> 7xd on the first rule's `within:` line
    line = _put_caret_after(browser, "within: 7")
    assert original.splitlines()[line - 1].strip() == "within: 7d"
    area.send_keys("x")
    _wait(browser, lambda: editor.get_attribute("data-state") == "errors")
    marked = editor.find_elements(By.CSS_SELECTOR, ".gutter .n.error")
    assert [m.text for m in marked] == [str(line)]  # the line number is marked ...
    message = editor.find_element(By.CSS_SELECTOR, f'.backdrop .l.error[data-line="{line}"] .msg').text
    assert "期限写法不对：'7xd'" in message  # ... and the message stands on that line
    problems = browser.find_element(By.ID, "problems").text
    assert f"第 {line} 行第 5 列：规则 'linyi-2021.policy-publish-7d'：期限写法不对" in problems
    # a save is refused while the file has errors, and the file is left as it was
    browser.find_element(By.ID, "save-file").click()
    _wait(browser, lambda: browser.find_element(By.ID, "saved").text not in ("", "保存中…"))
    assert browser.find_element(By.ID, "saved").text.startswith("未保存：文件有错误")
    assert plan.read_text(encoding="utf-8") == original
    # fix it
    _put_caret_after(browser, "within: 7x")
    area.send_keys(Keys.BACKSPACE)
    _wait(browser, lambda: editor.get_attribute("data-state") == "ok")
    assert editor.find_elements(By.CSS_SELECTOR, ".gutter .n.error") == []
    # run the file's tests
    browser.find_element(By.ID, "run-file-tests").click()
    _wait(browser, lambda: "个通过" in browser.find_element(By.ID, "cases").text)
    summary = browser.find_element(By.CSS_SELECTOR, "#cases p").text
    passed = int(summary.split(" 个通过")[0])
    assert passed >= 10 and summary.endswith("0 个失败")
    # change the title and save: written, recorded with who and the diff, shown in the history
    _put_caret_after(browser, "title: 主动公开的政策文件应在印发后7日内公开")
    area.send_keys("（本地目标）")
    _wait(browser, lambda: editor.get_attribute("data-state") == "ok")
    browser.find_element(By.ID, "save-file").click()
    _wait(browser, lambda: browser.find_element(By.ID, "saved").text.startswith("已保存"))
    saved = plan.read_text(encoding="utf-8")
    assert "title: 主动公开的政策文件应在印发后7日内公开（本地目标）" in saved
    row = sqlite3.connect(db).execute("SELECT user, file, diff FROM rule_edits").fetchone()
    assert row[0] == "王五" and row[1] == str(plan)
    assert "+    title: 主动公开的政策文件应在印发后7日内公开（本地目标）" in row[2]
    assert "王五" in browser.find_element(By.CSS_SELECTOR, "#history li").text
    # the server reloaded its rules: the rules page shows the new title
    browser.get(base + "/rules")
    assert "（本地目标）" in browser.find_element(By.TAG_NAME, "main").text
    # nothing went wrong in the page; the one failed request is the refused save (422), as it should be
    unexpected = [
        e
        for e in console_errors(browser)
        if "/rules/edit/save" not in e["message"] or "422" not in e["message"]
    ]
    assert unexpected == []


def test_reader_may_check_but_not_save(editing, browser):
    import http.client
    import json

    from selenium.webdriver.common.by import By

    base, _, plan = editing
    login(browser, base, TOKENS["reader"])
    browser.get(base + "/rules/edit?file=" + str(plan))
    assert browser.find_elements(By.ID, "save-file") == []
    cookie = browser.get_cookie("shixian_session")["value"]
    csrf = browser.find_element(By.ID, "rule-editor").get_attribute("data-csrf")
    conn = http.client.HTTPConnection(
        base.split("//")[1].split(":")[0], int(base.rsplit(":", 1)[1]), timeout=30
    )
    body = json.dumps({"file": str(plan), "text": plan.read_text(encoding="utf-8") + "\n"}).encode()
    conn.request(
        "POST",
        "/rules/edit/save",
        body=body,
        headers={
            "Content-Type": "application/json",
            "X-CSRF-Token": csrf,
            "Cookie": f"shixian_session={cookie}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 403
    # and a file the server did not load is not served or written
    conn.request(
        "POST",
        "/rules/edit/validate",
        body=json.dumps({"file": "/etc/passwd", "text": "x"}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRF-Token": csrf,
            "Cookie": f"shixian_session={cookie}",
        },
    )
    answer = conn.getresponse()
    assert answer.status == 400 and "不是本服务载入的规则文件" in answer.read().decode()
