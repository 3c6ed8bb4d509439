// Apply a migration batch by batch, showing progress; without JavaScript the form posts
// once and the server applies every batch.
(function () {
  "use strict";
  var gettext = window.gettext;

  var form = document.getElementById("migration-apply");
  if (!form) {
    return;
  }
  var box = document.getElementById("migration-status");
  var bar = document.getElementById("migration-progress");
  var counts = document.getElementById("migration-counts");
  var refusedList = document.getElementById("migration-refused");
  var button = form.querySelector("button[type=submit]");

  function number(value) {
    return value === "" || value === undefined ? null : parseInt(value, 10);
  }

  function show(progress) {
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
    counts.textContent = gettext("%(moved)s moved, %(refused)s refused, %(left)s left (%(percent)s%%)", {
      moved: progress.moved,
      refused: progress.refused,
      left: progress.remaining,
      percent: progress.percent
    });
    refusedList.textContent = "";
    progress.refused_deals.forEach(function (deal) {
      var item = document.createElement("li");
      item.textContent = gettext("Deal %(id)s %(name)s: %(reasons)s", {
        id: deal.deal_id,
        name: deal.name,
        reasons: deal.reasons.join("; ")
      });
      refusedList.appendChild(item);
    });
  }

  function post(payload) {
    return fetch(form.dataset.batchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": form.dataset.csrf
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.message || gettext("The server answered %(status)s.", { status: response.status }));
        }
        return body;
      });
    });
  }

  function step(payload, previous) {
    return post(payload).then(function (progress) {
      show(progress);
      var stuck = previous && previous.moved + previous.refused === progress.moved + progress.refused;
      if (progress.finished || stuck) {
        return progress;
      }
      return step({ run: progress.run, batch: payload.batch }, progress);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    box.hidden = false;
    counts.textContent = gettext("Starting…");
    var payload = {
      from: number(form.dataset.from),
      to: number(form.dataset.to),
      batch: number(form.querySelector("[name=batch]").value) || 50,
      run: null
    };
    step(payload, null)
      .then(function (progress) {
        counts.textContent = progress.finished
          ? gettext("Done: %(progress)s", { progress: counts.textContent })
          : gettext("Stopped: %(progress)s", { progress: counts.textContent });
      })
      .catch(function (error) {
        counts.textContent = gettext("The migration stopped: %(reason)s", { reason: error.message });
        button.disabled = false;
      });
  });
})();
