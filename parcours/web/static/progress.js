// A page whose result is computed in the background: read how far it is every second, and
// open the page again when it is done (it then shows the result, or the error).
"use strict";
(function () {
  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var url = "/ui/progress/" + encodeURIComponent(box.dataset.job) +
    "?lang=" + encodeURIComponent(document.documentElement.lang);

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      // Gone (finished a while ago), or the session ended: the page itself says what next.
      if (!r.ok) { window.setTimeout(function () { window.location.reload(); }, 1000); return null; }
      return r.json();
    }).then(function (body) {
      if (!body) { return; }
      box.dataset.state = body.state;
      text.textContent = body.text;
      if (body.state === "done" || body.state === "failed") { window.location.reload(); return; }
      if (body.percent === null) { bar.removeAttribute("value"); } else { bar.value = body.percent; }
      window.setTimeout(poll, 1000);
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
