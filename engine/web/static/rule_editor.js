// 规则编辑器 (rules/edit): line numbers beside a plain textarea, the file checked on every change (debounced
// POST), each error shown at its line, the file's test cases run on demand, and a save the server refuses
// while the file has errors. Without this script the page still shows the file.
(function () {
  "use strict";
  var root = document.getElementById("rule-editor");
  if (!root) { return; }
  var area = root.querySelector("textarea");
  var gutter = root.querySelector(".gutter");
  var backdrop = root.querySelector(".backdrop");
  var list = document.getElementById("problems");
  var status = document.getElementById("status");
  var cases = document.getElementById("cases");
  var file = root.getAttribute("data-file");
  var csrf = root.getAttribute("data-csrf");
  var errors = [];
  var timer = null;
  var sequence = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render() {
    var byLine = {};
    errors.forEach(function (e) { if (e.line) { (byLine[e.line] = byLine[e.line] || []).push(e); } });
    var texts = area.value.split("\n");
    var count = texts.length;
    gutter.textContent = "";
    backdrop.textContent = "";
    for (var i = 1; i <= count; i++) {
      var number = el("div", byLine[i] ? "n " + byLine[i][0].severity : "n", String(i));
      var line = el("div", byLine[i] ? "l " + byLine[i][0].severity : "l");
      line.setAttribute("data-line", i);
      if (byLine[i]) {
        number.title = byLine[i].map(function (e) { return e.message; }).join("\n");
        // the line's own text, invisible, puts the message just after it
        line.appendChild(el("span", "ghost", texts[i - 1]));
        line.appendChild(el("span", "msg", (byLine[i][0].severity === "error" ? "✗ " : "⚠ ") + short(byLine[i][0])));
      }
      gutter.appendChild(number);
      backdrop.appendChild(line);
    }
    list.textContent = "";
    errors.forEach(function (e) {
      var item = el("li", e.severity);
      var link = el("a", "", "第 " + (e.line || "?") + " 行" + (e.column ? "第 " + e.column + " 列" : ""));
      link.href = "#";
      link.addEventListener("click", function (event) { event.preventDefault(); jump(e.line, e.column); });
      item.appendChild(link);
      item.appendChild(document.createTextNode("：" + e.message));
      list.appendChild(item);
    });
    sync();
  }

  // the first sentence of a message, without the rule's id, and the fix when there is one
  function short(e) {
    var text = e.message.replace(/^规则 '[^']*'(的用例 '[^']*')?：/, "");
    var end = text.indexOf("。");
    text = end > 0 ? text.slice(0, end + 1) : text;
    if (e.suggestion && text.indexOf(e.suggestion) < 0) { text += "是否要写 '" + e.suggestion + "'？"; }
    return text;
  }

  function jump(line, column) {
    var lines = area.value.split("\n");
    var offset = 0;
    for (var i = 0; i < (line || 1) - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset += Math.max((column || 1) - 1, 0);
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  function sync() {
    gutter.scrollTop = area.scrollTop;
    backdrop.scrollTop = area.scrollTop;
    backdrop.scrollLeft = area.scrollLeft;
  }

  function post(url) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({file: file, text: area.value})
    }).then(function (response) {
      return response.json().then(function (data) { return {code: response.status, data: data}; });
    });
  }

  function summary(data) {
    var n = (data.errors || []).filter(function (e) { return e.severity === "error"; }).length;
    var w = (data.errors || []).length - n;
    var text = n ? n + " 处错误" : "没有错误";
    if (w) { text += "，" + w + " 处警告"; }
    if (data.other_files) { text += "；其他规则文件有 " + data.other_files + " 处问题"; }
    return text;
  }

  function validate() {
    var mine = ++sequence;
    status.textContent = "检查中…";
    post("/rules/edit/validate").then(function (answer) {
      if (mine !== sequence) { return; }
      errors = answer.data.errors || [];
      root.setAttribute("data-state", errors.some(function (e) { return e.severity === "error"; }) ? "errors" : "ok");
      render();
      status.textContent = answer.code === 200 ? summary(answer.data) : (answer.data.error || "检查失败");
    });
  }

  area.addEventListener("input", function () {
    root.setAttribute("data-state", "checking");
    render();
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  });
  area.addEventListener("scroll", sync);

  document.getElementById("run-file-tests").addEventListener("click", function () {
    cases.textContent = "运行中…";
    post("/rules/edit/test").then(function (answer) {
      cases.textContent = "";
      if (!answer.data.cases) {
        errors = answer.data.errors || [];
        render();
        cases.appendChild(el("p", "error", "文件有错误，未运行测试：" + summary(answer.data)));
        return;
      }
      var passed = answer.data.cases.filter(function (c) { return c.passed; }).length;
      cases.appendChild(el("p", passed === answer.data.cases.length ? "ok" : "error",
        passed + " 个通过，" + (answer.data.cases.length - passed) + " 个失败"));
      var ul = el("ul", "cases");
      answer.data.cases.forEach(function (c) {
        var li = el("li", c.passed ? "ok" : "error", (c.passed ? "通过：" : "失败：") + c.name);
        if (!c.passed) { li.appendChild(el("pre", "", c.problems.concat(c.details).join("\n"))); }
        ul.appendChild(li);
      });
      cases.appendChild(ul);
    });
  });

  var save = document.getElementById("save-file");
  if (save) {
    save.addEventListener("click", function () {
      var saved = document.getElementById("saved");
      saved.textContent = "保存中…";
      post("/rules/edit/save").then(function (answer) {
        if (answer.data.errors) { errors = answer.data.errors; render(); }
        saved.className = answer.data.saved ? "ok" : "error";
        saved.textContent = answer.data.message || answer.data.error || "保存失败";
        if (answer.data.saved) {
          var item = el("li", "", answer.data.at + " " + answer.data.user + "（" + answer.data.sha + "）");
          var history = document.getElementById("history");
          history.insertBefore(item, history.firstChild);
        }
      });
    });
  }
  render();
  validate();
}());
