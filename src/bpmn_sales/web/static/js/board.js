// The pipeline board: drag a card to another column, or move it with its "Move to" form (keyboard:
// choose the stage, Enter), in place, the focus kept on the card; fold columns (remembered per
// process), show more cards of a column (fetched a page at a time from /board/cards).
// Without JavaScript the page still works: the "Move to" form posts the move, and "Show more"
// lists the column's deals.
(function () {
  "use strict";
  var gettext = window.gettext;
  var ngettext = window.ngettext;

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
    message.textContent = (body && body.message) || gettext("The deal could not be moved.");
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
  // A column shows a page of its cards, so its count and totals are the server's figures
  // (data-count, data-totals), changed by each card moved in or out.
  // Amounts are counted in whole cents (integers, exact) and never summed across currencies;
  // Intl formats them like the server does (CLDR), from a decimal string, not a float.
  function toCents(text) {
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?/.exec(String(text || "0").trim());
    if (!match) {
      return 0;
    }
    var cents = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -cents : cents;
  }

  function centsText(cents) {
    var whole = Math.floor(Math.abs(cents) / 100);
    var rest = String(Math.abs(cents) % 100);
    return (cents < 0 ? "-" : "") + whole + "." + (rest.length < 2 ? "0" + rest : rest);
  }

  function formatAmount(cents, currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || "en", {
        style: "currency",
        currency: currency,
      }).format(centsText(cents));
    } catch (error) {
      return centsText(cents) + " " + currency;
    }
  }

  function readTotals(col) {
    try {
      var value = JSON.parse(col.dataset.totals || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function adjust(col, card, sign) {
    var count = parseInt(col.dataset.count || "0", 10) + sign;
    var totals = readTotals(col);
    var currency = card.dataset.currency;
    var cents = toCents(totals[currency]) + sign * toCents(card.dataset.value);
    if (cents === 0 && sign < 0) {
      delete totals[currency];
    } else {
      totals[currency] = centsText(cents);
    }
    col.dataset.count = String(count);
    col.dataset.totals = JSON.stringify(totals);
    col.querySelector(".column-count").textContent = String(count);
    col.querySelector(".column-total").textContent = Object.keys(totals)
      .sort()
      .map(function (code) { return formatAmount(toCents(totals[code]), code); })
      .join("; ");
    var more = col.querySelector(".show-more .left");
    if (more) {
      more.textContent = String(Math.max(0, count - col.querySelectorAll(".deal-card").length));
    }
  }

  // -- show more ------------------------------------------------------------------------
  function showMore(col, link) {
    var params = new URLSearchParams({
      process: board.dataset.process,
      stage: col.dataset.stage,
      cursor: link.dataset.next,
      next: window.location.pathname + window.location.search
    });
    if (board.dataset.owner) {
      params.set("owner", board.dataset.owner);
    }
    if (board.dataset.team) {
      params.set("team", board.dataset.team);
    }
    link.setAttribute("aria-busy", "true");
    fetch(board.dataset.cardsUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(gettext("The server answered %(status)s.", { status: response.status }));
        }
        return response.text().then(function (html) {
          return { html: html, next: response.headers.get("X-Next-Cursor") };
        });
      })
      .then(function (result) {
        var list = col.querySelector("ol.cards");
        var holder = document.createElement("ol");
        holder.innerHTML = result.html;
        var added = 0;
        Array.prototype.slice.call(holder.children).forEach(function (card) {
          // A card moved here meanwhile is already shown: keep the one on the page.
          if (!board.querySelector('[data-deal-id="' + card.dataset.dealId + '"]')) {
            list.appendChild(card);
            added += 1;
          }
        });
        if (result.next) {
          link.dataset.next = result.next;
          var left = link.querySelector(".left");
          var count = parseInt(col.dataset.count || "0", 10);
          left.textContent = String(Math.max(0, count - list.querySelectorAll(".deal-card").length));
        } else {
          link.remove();
        }
        var heading = col.querySelector("[data-testid^=column-label-]");
        statusBox.textContent = ngettext("%(num)s more card in %(stage)s", "%(num)s more cards in %(stage)s", added, {
          stage: heading ? heading.textContent.trim() : col.dataset.stage
        });
      })
      .catch(function (error) {
        showRefusal({ message: gettext("More cards could not be shown: %(reason)s", { reason: error.message }) });
      })
      .then(function () {
        link.removeAttribute("aria-busy");
      });
  }

  columns().forEach(function (col) {
    col.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.show-more");
      if (link && col.contains(link)) {
        event.preventDefault();
        showMore(col, link);
      }
    });
  });

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
      days.textContent = ngettext("%(num)s day in stage", "%(num)s days in stage", 0);
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
    adjust(source, card, -1);
    adjust(target, card, +1);
  }

  function move(card, target) {
    var stage = target.dataset.stage;
    var source = card.closest(".board-column");
    if (!source || source === target) {
      return Promise.resolve(false);
    }
    clearRefusal();
    card.classList.add("moving");
    return fetch(board.dataset.moveUrl, {
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
          function () {
            return { ok: false, body: { message: gettext("The server answered %(status)s.", { status: response.status }) } };
          }
        );
      })
      .then(function (result) {
        if (result.ok && result.body.deal) {
          place(card, target, result.body.deal);
          statusBox.textContent = gettext("Moved “%(deal)s” to %(stage)s", {
            deal: result.body.deal.name,
            stage: result.body.deal.stage_name
          });
          return true;
        }
        showRefusal(result.body);
        return false;
      })
      .catch(function () {
        showRefusal({ message: gettext("The deal could not be moved: the server did not answer.") });
        return false;
      })
      .then(function (moved) {
        card.classList.remove("moving");
        return moved;
      });
  }

  if (board.dataset.freeMoves !== "true") {
    return;
  }

  // The card's "Move to" form, by keyboard or pointer: the same move as a drop, in place; the
  // focus goes back to the card's stage list, in its new column, so the next move is one key away
  // (refused, the card and the focus stay where they are, the alert says why).
  board.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("move-form")) {
      return;
    }
    var card = form.closest(".deal-card");
    var select = form.querySelector("select[name=stage]");
    var target = columns().filter(function (col) { return col.dataset.stage === select.value; })[0];
    if (!card || !target) {
      return; // a stage without a column here: the form posts the move itself
    }
    event.preventDefault();
    move(card, target).then(function (moved) {
      // Moving the card to its new column took the focus away: give it back.
      var again = card.querySelector("select[name=stage]");
      if (moved && again) {
        again.focus();
      }
    });
  });

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
