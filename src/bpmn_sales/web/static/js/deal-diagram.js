/* The deal page's process diagram: fetch the deal's diagram and where the deal is, render it with
 * the vendored bpmn-js NavigatedViewer, mark the current and completed elements, and open it at a
 * readable scale on the current step (diagram-view.js: zoom, fit and full-screen controls).
 * Without JavaScript (or if this fails) the text under the diagram still says where the deal is. */
(function () {
  "use strict";
  var gettext = window.gettext;

  var container = document.getElementById("deal-diagram");
  if (!container) {
    return;
  }

  function fail(message) {
    container.setAttribute("data-state", "failed");
    container.textContent = gettext("The diagram could not be shown: %(reason)s.", { reason: message });
  }

  if (typeof window.BpmnJS !== "function" || typeof window.DiagramView !== "object" || typeof window.fetch !== "function") {
    fail(gettext("this browser cannot run the diagram viewer"));
    return;
  }

  // Where to open: the current stage and its waiting activities; once the deal is closed, where
  // it ended (the process's own end, not a stage's). When the stage is too wide to read whole,
  // its waiting activities stay centred.
  function focusIds(viewer, data) {
    var registry = viewer.get("elementRegistry");
    var current = data.current || [];
    if (current.length) {
      return { focus: current, anchor: current.filter(function (id) {
        var element = registry.get(id);
        return element && element.type !== "bpmn:SubProcess";
      }) };
    }
    var ends = (data.completed || []).filter(function (id) {
      var element = registry.get(id);
      var parent = element && element.parent;
      return element && element.type === "bpmn:EndEvent" && parent &&
        /^bpmn:(Process|Participant|Lane)$/.test(parent.type);
    });
    return { focus: ends, anchor: [] };
  }

  function mark(viewer, ids, marker) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    (ids || []).forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    });
  }

  fetch(container.getAttribute("data-diagram-url"), {
    credentials: "same-origin",
    headers: { Accept: "application/json" }
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(gettext("the server answered %(status)s", { status: response.status }));
      }
      return response.json();
    })
    .then(function (data) {
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(data.xml).then(function () {
        mark(viewer, data.completed, "highlight-done");
        mark(viewer, data.current, "highlight-current");
        var where = focusIds(viewer, data);
        window.DiagramView.attach(viewer, document.getElementById("deal-diagram-frame"), {
          focus: function () { return where.focus; },
          anchor: function () { return where.anchor; }
        });
        container.setAttribute("data-state", "ready");
      });
    })
    .catch(function (error) {
      fail(error && error.message ? error.message : gettext("unknown error"));
    });
})();
