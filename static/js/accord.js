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
  // htmx does not swap a 400 or 413 answer (a form too large, too many fields). Show the
  // message of that page above the form, and leave the form and what was typed in place.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var form = event.detail.elt;
    if (!xhr || (xhr.status !== 400 && xhr.status !== 413) || !form || !form.parentNode) {
      return;
    }
    var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var lines = page.querySelectorAll("main [data-request-refused]");
    if (!lines.length) {
      return;
    }
    var box = form.previousElementSibling;
    if (!box || !box.hasAttribute("data-request-refused-box")) {
      box = document.createElement("div");
      box.className = "errorlist nonfield";
      box.setAttribute("role", "alert");
      box.setAttribute("tabindex", "-1");
      box.setAttribute("data-request-refused-box", "");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line.textContent;
      box.appendChild(p);
    });
    box.focus();
  });
})();
