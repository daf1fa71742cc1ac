// Corridor: progressive enhancement only. Every page works without this file.
"use strict";
(function () {
  // Quote validity countdown: from the seconds left when the server rendered the page, so a
  // wrong clock on the buyer's computer does not matter.
  var loaded = Date.now();
  var els = document.querySelectorAll(".countdown[data-seconds]");
  function tick() {
    els.forEach(function (el) {
      var left = Math.max(0, Number(el.getAttribute("data-seconds")) * 1000 - (Date.now() - loaded));
      // The unit words come from the page's language: data-units="h|min|s".
      var u = (el.getAttribute("data-units") || "h|min|s").split("|");
      var s = Math.floor(left / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      el.textContent = (h > 0 ? h + " " + u[0] + " " : "") + m + " " + u[1] + " " + (s % 60) + " " + u[2];
      if (left === 0) {
        el.closest(".validity").classList.add("expired");
        var btn = document.getElementById("accept");
        if (btn) btn.disabled = true;
      }
    });
  }
  if (els.length) { tick(); setInterval(tick, 1000); }

  // The market's filters are folded on phones (the offers come first); on a wide screen
  // they start unfolded.
  var filters = document.getElementById("filter-fields");
  if (filters && window.matchMedia("(min-width: 1000px)").matches) filters.open = true;

  // Print button (the print stylesheet makes the quote a one-page document).
  document.querySelectorAll(".print-button").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
