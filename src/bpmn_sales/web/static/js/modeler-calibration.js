/* The modeler's Sales rules group, for a stage: what the closed deals say of its win rate.
 *
 * The page carries, by stage key, the observed rate of the deals that entered the stage and were
 * closed won or lost, its 95 % Wilson interval, the deals behind it and a suggested rate where
 * the evidence is enough (services/analytics/calibration.py), as
 * <script type="application/json" id="stage-observed">. When the selected element is a stage,
 * a note under the group's fields compares them with the win rate typed in the panel. */
(function () {
  "use strict";
  var gettext = window.gettext;
  var ngettext = window.ngettext;
  var root = document.getElementById("modeler");
  var source = document.getElementById("stage-observed");
  var panel = document.getElementById("modeler-panel");
  if (!root || !source || !panel || !root.bpmnModeler) {
    return;
  }
  var observed = JSON.parse(source.textContent); // {min_evidence, stages: {key: figures}}
  var modeler = root.bpmnModeler;
  var selected = null;

  function properties(element) {
    var found = {};
    var bo = element && element.businessObject;
    var extensions = bo && bo.extensionElements;
    (extensions && extensions.values || []).forEach(function (container) {
      (container.values || []).forEach(function (property) {
        if (property.name && property.value !== undefined) {
          found[property.name] = property.value;
        }
      });
    });
    return found;
  }

  function number(value) {
    return String(Math.round(value * 10) / 10);
  }

  function lines(seen, typed) {
    if (!seen || !seen.closed) {
      var open = seen ? seen.open : 0;
      return [
        gettext("No deal that reached this stage has been closed won or lost yet."),
        ngettext("%(num)s deal is still open in or past it.", "%(num)s deals are still open in or past it.", open)
      ];
    }
    var out = [
      ngettext(
        "Observed: %(observed)s %% won, of %(num)s closed deal that reached this stage.",
        "Observed: %(observed)s %% won, of %(num)s closed deals that reached this stage.",
        seen.closed,
        { observed: number(seen.observed) }
      ),
      gettext("95 %% interval: %(low)s to %(high)s %%.", { low: number(seen.low), high: number(seen.high) })
    ];
    var rate = parseFloat(typed);
    if (!isNaN(rate) && (rate < seen.low || rate > seen.high)) {
      if (seen.closed >= observed.min_evidence) {
        out.push(gettext("The win rate %(rate)s %% is outside it: suggested %(suggested)s %%.", {
          rate: number(rate),
          suggested: String(Math.floor(seen.observed / 5 + 0.5) * 5)
        }));
      } else {
        out.push(ngettext(
          "The win rate %(rate)s %% is outside it, but a suggestion needs %(num)s closed deal.",
          "The win rate %(rate)s %% is outside it, but a suggestion needs %(num)s closed deals.",
          observed.min_evidence,
          { rate: number(rate) }
        ));
      }
    }
    return out;
  }

  function show() {
    var old = panel.querySelector("[data-testid='stage-observed']");
    var values = selected ? properties(selected) : {};
    var group = panel.querySelector("[data-group-id='group-sales-rules']");
    if (!selected || !values.stage_key || !group) {
      if (old) {
        old.remove();
      }
      return;
    }
    var seen = observed.stages[values.stage_key];
    var shown = lines(seen, values.stage_win_rate);
    var key = values.stage_key + "|" + values.stage_win_rate;
    if (old && old.parentNode === group && old.getAttribute("data-shown") === key) {
      return;
    }
    if (old) {
      old.remove();
    }
    var note = document.createElement("div");
    note.className = "stage-observed" + (seen && seen.outside ? " outside" : "");
    note.setAttribute("data-testid", "stage-observed");
    note.setAttribute("data-shown", key);
    note.setAttribute("role", "note");
    shown.forEach(function (text) {
      var line = document.createElement("p");
      line.textContent = text;
      note.appendChild(line);
    });
    group.appendChild(note);
  }

  modeler.on("selection.changed", function (event) {
    selected = event.newSelection && event.newSelection.length === 1 ? event.newSelection[0] : null;
    window.setTimeout(show, 0);
  });
  modeler.on("elements.changed", function () {
    window.setTimeout(show, 0);
  });
  // The panel draws its groups again on many changes: put the note back when it goes.
  new MutationObserver(function () {
    if (selected && !panel.querySelector("[data-testid='stage-observed']")) {
      show();
    }
  }).observe(panel, { childList: true, subtree: true });
})();
