// Small behaviours the pages share. Everything here is an enhancement: pages work without it.
(function () {
  "use strict";
  // After htmx swaps in new content, move focus to the first element that asks for it,
  // so keyboard and screen-reader users land where the change happened.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt && event.detail.elt.querySelector
      ? event.detail.elt.querySelector("[data-autofocus]")
      : null;
    if (!target && event.detail.elt && event.detail.elt.matches && event.detail.elt.matches("[data-autofocus]")) {
      target = event.detail.elt;
    }
    if (target) {
      target.focus();
    }
  });
})();
