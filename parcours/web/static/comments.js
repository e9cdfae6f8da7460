// parcours dashboard: comments on the map's elements (parcours.web.map_objects).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var section = document.getElementById("comments");
  if (!section) { return; }
  var base = "/ui/maps/" + encodeURIComponent(section.dataset.map) + "/comments";
  var headers = { "Content-Type": "application/json", "X-Parcours-Dashboard": "1" };

  function failed(r) {
    return r.json().then(function (body) {
      var box = document.getElementById("comment-error");
      if (box) { box.textContent = (body.detail && body.detail.detail) || body.detail || body.error || r.status; box.hidden = false; }
    });
  }

  var form = document.getElementById("comment-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { element: form.element.value, text: form.text.value };
      fetch(base, { method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(body) })
        .then(function (r) { if (r.ok) { window.location.reload(); } else { failed(r); } });
    });
  }
  section.querySelectorAll("button.comment-delete").forEach(function (button) {
    button.addEventListener("click", function () {
      fetch(base + "/" + encodeURIComponent(button.dataset.id), { method: "DELETE", credentials: "same-origin", headers: headers })
        .then(function (r) { if (r.ok) { window.location.reload(); } else { failed(r); } });
    });
  });
});
