// The map editor: line numbers, live validation against the server, problems next to their lines.
"use strict";
(function () {
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var S = config.strings;
  var text = document.getElementById("yaml");
  var gutter = document.getElementById("gutter");
  var status = document.getElementById("status");
  var list = document.getElementById("problems");
  var saveButton = document.getElementById("save");
  var saveStatus = document.getElementById("save-status");
  var timer = null, sequence = 0, lastProblems = [];

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function drawGutter() {
    var count = text.value.split("\n").length;
    var bad = {};
    lastProblems.forEach(function (p) { if (p.line) { bad[p.line] = (bad[p.line] ? bad[p.line] + "\n" : "") + p.message; } });
    var parts = [];
    for (var i = 1; i <= count; i++) {
      parts.push(bad[i] ? '<div class="bad" data-line="' + i + '">' + i + "</div>" : "<div>" + i + "</div>");
    }
    gutter.innerHTML = parts.join("");
    gutter.querySelectorAll("div.bad").forEach(function (row) { row.title = bad[row.dataset.line]; });
    gutter.scrollTop = text.scrollTop;
  }

  function goTo(line) {
    var lines = text.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    text.focus();
    text.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    text.scrollTop = Math.max(0, (line - 5) * 20);
  }

  function show(result) {
    lastProblems = result.problems || [];
    list.innerHTML = "";
    if (result.valid) {
      status.className = "status valid";
      status.textContent = S.valid;
    } else {
      status.className = "status invalid";
      status.textContent = lastProblems.length === 1 ? S.problem : fill(S.problems, { count: lastProblems.length });
      lastProblems.forEach(function (p) {
        var item = document.createElement("li");
        item.dataset.line = p.line || "";
        if (p.line) {
          var where = document.createElement("span");
          where.className = "line";
          where.textContent = fill(S.line, { line: p.line });
          item.appendChild(where);
          item.addEventListener("click", function () { goTo(p.line); });
        }
        item.appendChild(document.createTextNode(p.message));
        if (p.field) {
          var field = document.createElement("span");
          field.className = "field";
          field.textContent = p.field;
          item.appendChild(field);
        }
        list.appendChild(item);
      });
    }
    if (saveButton) { saveButton.disabled = !result.valid; }
    drawGutter();
  }

  function post(url, body, headers) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
      body: JSON.stringify(body)
    });
  }

  function validate() {
    var mine = ++sequence;
    status.className = "status";
    status.textContent = S.checking;
    post("/ui/maps/validate", { yaml: text.value }).then(function (r) { return r.json(); }).then(function (result) {
      if (mine === sequence) { show(result); }
    }).catch(function (e) { status.className = "status invalid"; status.textContent = String(e); });
  }

  text.addEventListener("input", function () {
    drawGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 250);
  });
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
  text.addEventListener("keydown", function (e) {
    if (e.key === "Tab") {  // two spaces, as YAML wants
      e.preventDefault();
      var start = text.selectionStart;
      text.setRangeText("  ", start, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input"));
    }
  });

  if (saveButton) {
    saveButton.addEventListener("click", function () {
      saveStatus.textContent = "";
      var message = document.getElementById("message").value;
      post("/ui/maps/" + encodeURIComponent(config.map_id) + "/versions",
           { yaml: text.value, message: message || null }, { "X-Parcours-Dashboard": "1" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) {
            saveStatus.className = "error";
            saveStatus.textContent = answer.body.detail || answer.body.error;
            if (answer.body.problems) { show({ valid: false, problems: answer.body.problems }); }
            return;
          }
          saveStatus.className = "ok";
          saveStatus.textContent = answer.body.created ? fill(S.saved, { version: answer.body.version }) : S.unchanged;
        });
    });
  }

  drawGutter();
  validate();
})();
