// An import's progress page: ask the server how far the import got every second, move the
// bar and say it (the server words the sentence), and show the result once it is done.
// Without JavaScript the page reloads itself every few seconds instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=import-progress]");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var bar = box.querySelector("progress");
  var state = document.getElementById("import-state");

  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (progress) {
        bar.value = progress.percent;
        state.textContent = progress.text;
        if (progress.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 1000);
})();
