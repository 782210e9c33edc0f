// Keeps a running sync's page current: every two seconds it fetches the page again and swaps in
// the progress section; once the run is no longer queued or running it reloads the whole page.
// Without JavaScript, the page refreshes itself (a <noscript> refresh in the same section).
(function () {
  "use strict";
  var section = document.getElementById("run-progress");
  if (!section) return;
  function tick() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("run-progress");
        if (!fresh) { window.location.reload(); return; }
        section.replaceWith(fresh);
        section = fresh;
        setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
