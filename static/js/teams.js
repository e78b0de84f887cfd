// The live meeting page: conditional polling (ETag / 304) and the item timer.
(function () {
  "use strict";
  // The live region is polled every few seconds. Its last ETag goes back as If-None-Match,
  // so an unchanged meeting answers 304 with no body; htmx must then keep what it shows.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live") && elt.dataset.etag) {
      event.detail.headers["If-None-Match"] = elt.dataset.etag;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var live = elt && elt.closest ? elt.closest("[data-live]") : null;
    var tag = event.detail.xhr ? event.detail.xhr.getResponseHeader("ETag") : null;
    if (live && tag) {
      live.dataset.etag = tag;
    }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var timers = document.querySelectorAll("[data-timer-started]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var started = Date.parse(el.getAttribute("data-timer-started"));
      var allotted = parseInt(el.getAttribute("data-timer-minutes"), 10) * 60;
      var left = Math.round(allotted - (Date.now() - started) / 1000);
      var over = left < 0;
      var abs = Math.abs(left);
      var text = pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
      var out = el.querySelector(".timer-clock");
      if (out) {
        out.textContent = (over ? "+" : "") + text;
      }
      el.classList.toggle("timer-over", over);
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
})();
