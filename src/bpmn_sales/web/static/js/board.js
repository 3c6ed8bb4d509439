// The pipeline board: drag a card to another column, fold columns (remembered per process).
// Without JavaScript the page still works: each card has a "Move to" form.
(function () {
  "use strict";

  var board = document.querySelector(".board");
  if (!board) {
    return;
  }
  var alertBox = document.getElementById("board-alert");
  var statusBox = document.getElementById("board-status");
  var foldKey = "bpmn-sales:board-folded:" + board.dataset.process;
  var dragged = null;

  function columns() {
    return Array.prototype.slice.call(board.querySelectorAll(".board-column"));
  }

  // -- folding --------------------------------------------------------------------------
  function readFolded() {
    try {
      var value = JSON.parse(window.localStorage.getItem(foldKey) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (error) {
      return [];
    }
  }

  function saveFolded() {
    var folded = columns()
      .filter(function (col) { return col.classList.contains("folded"); })
      .map(function (col) { return col.dataset.stage; });
    try {
      window.localStorage.setItem(foldKey, JSON.stringify(folded));
    } catch (error) {
      // Storage may be full or refused (private mode): folding still works for this page.
    }
  }

  function setFolded(col, folded) {
    var button = col.querySelector("button.fold");
    col.classList.toggle("folded", folded);
    col.querySelector(".column-body").hidden = folded;
    button.setAttribute("aria-expanded", folded ? "false" : "true");
  }

  var initiallyFolded = readFolded();
  columns().forEach(function (col) {
    setFolded(col, initiallyFolded.indexOf(col.dataset.stage) !== -1);
    col.querySelector("button.fold").addEventListener("click", function () {
      setFolded(col, !col.classList.contains("folded"));
      saveFolded();
    });
  });

  // -- messages -------------------------------------------------------------------------
  function showRefusal(body) {
    alertBox.textContent = "";
    var message = document.createElement("p");
    message.textContent = (body && body.message) || "The deal could not be moved.";
    alertBox.appendChild(message);
    var unmet = body && Array.isArray(body.unmet) ? body.unmet : [];
    if (unmet.length) {
      var list = document.createElement("ul");
      list.className = "unmet";
      unmet.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item;
        list.appendChild(li);
      });
      alertBox.appendChild(list);
    }
    alertBox.classList.add("shown");
  }

  function clearRefusal() {
    alertBox.textContent = "";
    alertBox.classList.remove("shown");
  }

  // -- counts and totals ----------------------------------------------------------------
  function formatAmount(amount, currency) {
    return Math.round(amount).toLocaleString("en-US") + " " + currency;
  }

  function recount(col) {
    var cards = col.querySelectorAll(".deal-card");
    var totals = {};
    Array.prototype.forEach.call(cards, function (card) {
      var currency = card.dataset.currency;
      totals[currency] = (totals[currency] || 0) + parseFloat(card.dataset.value || "0");
    });
    col.querySelector(".column-count").textContent = String(cards.length);
    col.querySelector(".column-total").textContent = Object.keys(totals)
      .map(function (currency) { return formatAmount(totals[currency], currency); })
      .join(" + ");
  }

  // -- moving ---------------------------------------------------------------------------
  function place(card, target, deal) {
    var source = card.closest(".board-column");
    target.querySelector("ol.cards").appendChild(card);
    card.dataset.version = String(deal.version);
    card.dataset.value = String(deal.value);
    var version = card.querySelector("input[name=version]");
    if (version) {
      version.value = String(deal.version);
    }
    var probability = card.querySelector(".probability");
    if (probability) {
      probability.textContent = deal.probability + "%";
    }
    var days = card.querySelector("[data-testid^=days-]");
    if (days) {
      days.textContent = "0 days in stage";
    }
    var select = card.querySelector("select[name=stage]");
    if (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        option.disabled = option.value === target.dataset.stage;
      });
      var firstFree = Array.prototype.find.call(select.options, function (o) { return !o.disabled; });
      if (firstFree) {
        select.value = firstFree.value;
      }
    }
    recount(source);
    recount(target);
  }

  function move(card, target) {
    var stage = target.dataset.stage;
    var source = card.closest(".board-column");
    if (!source || source === target) {
      return;
    }
    clearRefusal();
    card.classList.add("moving");
    fetch(board.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": board.dataset.csrf
      },
      body: JSON.stringify({
        deal_id: parseInt(card.dataset.dealId, 10),
        stage: stage,
        version: parseInt(card.dataset.version, 10)
      })
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { ok: response.ok, body: body }; },
          function () { return { ok: false, body: { message: "The server answered " + response.status } }; }
        );
      })
      .then(function (result) {
        if (result.ok && result.body.deal) {
          place(card, target, result.body.deal);
          statusBox.textContent = "Moved '" + result.body.deal.name + "' to " + result.body.deal.stage_name;
        } else {
          showRefusal(result.body);
        }
      })
      .catch(function () {
        showRefusal({ message: "The deal could not be moved: the server did not answer." });
      })
      .then(function () {
        card.classList.remove("moving");
      });
  }

  if (board.dataset.freeMoves !== "true") {
    return;
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
  });

  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("dragging");
    }
    dragged = null;
    columns().forEach(function (col) { col.classList.remove("drop-target"); });
  });

  columns().forEach(function (col) {
    col.addEventListener("dragover", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      col.classList.add("drop-target");
    });
    col.addEventListener("dragleave", function (event) {
      if (!col.contains(event.relatedTarget)) {
        col.classList.remove("drop-target");
      }
    });
    col.addEventListener("drop", function (event) {
      event.preventDefault();
      col.classList.remove("drop-target");
      if (dragged) {
        move(dragged, col);
      }
    });
  });
})();
