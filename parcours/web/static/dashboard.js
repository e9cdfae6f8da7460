// parcours dashboard: small helpers shared by every page (no framework, no network beyond this server).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
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
