// After an error, put the focus where the reader has to act, not on <body>: the first field
// marked invalid (every bad field is marked, each with its message beside it), else the
// refusal at the top of the page (a sales rule, a stale version).
(function () {
  "use strict";
  var first = document.querySelector('[aria-invalid="true"]');
  if (first) {
    var closed = first.closest("details:not([open])");
    if (closed) {
      closed.open = true;
    }
    first.focus();
    return;
  }
  var refusal = document.querySelector(".flashes .flash-error");
  if (refusal) {
    refusal.setAttribute("tabindex", "-1");
    refusal.focus();
  }
})();
