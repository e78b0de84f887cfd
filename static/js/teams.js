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

  // Focus after a form of the page is answered: the page (or the live region) is swapped, and
  // the button pressed is gone with it. The form names, in `data-focus`, the ids to focus
  // next, first found wins (the same button, its neighbour, the item). An error shown on the
  // page (data-autofocus) goes first.
  var focusForm = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tagName === "FORM" && elt.hasAttribute("data-focus")) {
      focusForm = elt;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = focusForm;
    // The live region's own polling settles too: only the answer to the form counts.
    var config = event.detail.requestConfig;
    if (!form || !config || config.elt !== form) {
      return;
    }
    focusForm = null;
    // After htmx has scrolled a boosted page to its top: focusing scrolls the target back.
    setTimeout(function () {
      if (document.querySelector("main [data-autofocus]")) {
        return;
      }
      var ids = form.getAttribute("data-focus").split(/\s+/);
      for (var i = 0; i < ids.length; i++) {
        var target = document.getElementById(ids[i]);
        if (target) {
          target.focus();
          return;
        }
      }
    }, 0);
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
