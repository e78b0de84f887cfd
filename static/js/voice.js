// The answer page: a question asked "only if" an earlier answer is hidden until that answer
// is given. Without this script every question shows, with a line saying when to answer it;
// the server refuses an answer to a question that does not apply.
(function () {
  "use strict";
  var form = document.querySelector(".vc-answer");
  if (!form) {
    return;
  }
  var dependents = form.querySelectorAll("[data-show-if]");
  function chosen(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.checked) {
        values.push(input.value);
      }
    });
    return values;
  }
  function update() {
    dependents.forEach(function (block) {
      var parts = block.getAttribute("data-show-if").split(":");
      var show = chosen(parts[0]).indexOf(parts[1]) !== -1;
      block.hidden = !show;
      if (!show) {
        block.querySelectorAll("input, select, textarea").forEach(function (input) {
          if (input.type === "radio" || input.type === "checkbox") {
            input.checked = false;
          } else {
            input.value = "";
          }
        });
      }
    });
  }
  form.addEventListener("change", update);
  update();
})();
