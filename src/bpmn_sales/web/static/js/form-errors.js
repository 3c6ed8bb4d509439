// A form sent back with errors: focus its first field marked invalid (every bad field is
// marked, each with its message beside it), so typing starts where the first fix is needed.
(function () {
  "use strict";
  var first = document.querySelector('[aria-invalid="true"]');
  if (!first) {
    return;
  }
  var closed = first.closest("details:not([open])");
  if (closed) {
    closed.open = true;
  }
  first.focus();
})();
