// parcours dashboard: small helpers shared by every page (no framework, no network beyond this server).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A picked list (a funnel's steps): choosing in its last box opens one more, so steps
  // are added one after another; without script, each run of the form adds one box.
  document.querySelectorAll(".picks[data-add]").forEach(function (picks) {
    picks.addEventListener("change", function (event) {
      var boxes = picks.querySelectorAll("select");
      var last = boxes[boxes.length - 1];
      if (event.target !== last || !last.value) { return; }
      var more = last.cloneNode(true);
      more.value = "";
      more.options[0].textContent = picks.dataset.add;
      more.setAttribute("aria-label", last.getAttribute("aria-label").replace(/\d+$/, String(boxes.length + 1)));
      picks.appendChild(more);
    });
  });

  // Calls that change something carry the dashboard's header (a form of another site cannot).
  function change(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-Parcours-Dashboard": "1" } });
  }

  var logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      change("/logout").then(function (r) {
        if (r.ok) { window.location.assign(r.url); } else { window.location.reload(); }
      });
    });
  }

  var linkButton = document.getElementById("login-link");
  if (linkButton) {
    linkButton.addEventListener("click", function () {
      change("/ui/login-link").then(function (r) { return r.json(); }).then(function (body) {
        var field = document.getElementById("login-link-url");
        field.value = body.url || body.detail || body.error;
        document.getElementById("login-link-box").hidden = false;
        field.focus();
        field.select();
      });
    });
  }
});
