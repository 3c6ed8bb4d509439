/* The modeler page: load the draft (or a version) into the vendored bpmn-js Modeler with our
 * "Sales rules" properties group, save it as a draft, show the lint results in a list and pinned
 * on the elements, and deploy it (new version, or migrate with the preview page).
 * The JSON routes take the session cookie and the X-CSRF-Token header, like the board. */
(function () {
  "use strict";
  var gettext = window.gettext;
  var ngettext = window.ngettext;
  var SEVERITY = { error: gettext("error"), warning: gettext("warning"), info: gettext("info") };

  function severityName(severity) {
    return SEVERITY[severity] || severity;
  }

  var root = document.getElementById("modeler");
  if (!root) {
    return;
  }
  var canvasBox = document.getElementById("modeler-canvas");
  var statusBox = document.getElementById("modeler-status");
  var alertBox = document.getElementById("modeler-alert");
  var problemList = document.getElementById("problems");
  var problemCount = document.getElementById("problems-count");
  var problemEmpty = document.getElementById("problems-empty");
  var buttons = {
    save: document.getElementById("modeler-save"),
    lint: document.getElementById("modeler-lint"),
    deploy: document.getElementById("modeler-deploy")
  };
  var dialog = document.getElementById("deploy-dialog");
  var state = { revision: null, version: null, dirty: false, busy: false, readable: false };

  function status(text) {
    statusBox.textContent = text;
  }

  function showAlert(text) {
    alertBox.textContent = text;
    alertBox.hidden = !text;
  }

  function fail(message) {
    root.setAttribute("data-state", "failed");
    canvasBox.textContent = gettext("The modeler could not start: %(reason)s.", { reason: message });
  }

  if (typeof window.BpmnSalesModeler !== "object" || typeof window.DiagramView !== "object" || typeof window.fetch !== "function") {
    fail(gettext("this browser cannot run it"));
    return;
  }

  var vocabulary = JSON.parse(document.getElementById("sales-vocabulary").textContent);
  var modeler = window.BpmnSalesModeler.create({
    container: canvasBox,
    panel: document.getElementById("modeler-panel"),
    vocabulary: vocabulary,
    // bpmn-js, the properties panel and our group in the page's language (modeler-words.js).
    translate: window.modelerTranslate
  });
  root.bpmnModeler = modeler; // for modeler-calibration.js: the observed win rates in the panel

  function request(method, url, payload) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": root.dataset.csrf
      },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(
        function (body) { return { ok: response.ok, status: response.status, body: body }; },
        function () {
          return {
            ok: false,
            status: response.status,
            body: { message: gettext("the server answered %(status)s", { status: response.status }) }
          };
        }
      );
    });
  }

  function refresh() {
    var off = state.busy || !state.readable;
    buttons.save.disabled = off;
    buttons.lint.disabled = off;
    buttons.deploy.disabled = off;
  }

  function busy(flag) {
    state.busy = flag;
    refresh();
  }

  // -- lint results: the list, the markers and badges on the canvas -------------------------
  var marked = [];

  function clearMarks() {
    var canvas = modeler.get("canvas");
    marked.forEach(function (id) {
      canvas.removeMarker(id, "lint-error");
      canvas.removeMarker(id, "lint-warning");
      canvas.removeMarker(id, "lint-info");
    });
    marked = [];
    modeler.get("overlays").remove({ type: "lint" });
  }

  function reveal(id) {
    var element = modeler.get("elementRegistry").get(id);
    if (!element) {
      return;
    }
    var canvas = modeler.get("canvas");
    try {
      canvas.scrollToElement(element, { top: 120, bottom: 120, left: 120, right: 120 });
    } catch (error) {
      // An element on another plane (collapsed sub-process): selecting it still opens the panel.
    }
    modeler.get("selection").select(element);
  }

  function badge(id, items) {
    var worst = ["error", "warning", "info"].filter(function (level) {
      return items.some(function (p) { return p.severity === level; });
    })[0];
    var node = document.createElement("div");
    node.className = "lint-badge lint-" + worst;
    node.setAttribute("data-testid", "lint-badge-" + id);
    node.setAttribute("role", "button");
    node.title = items.map(function (p) {
      return gettext("%(severity)s: %(message)s", { severity: severityName(p.severity), message: p.message });
    }).join("\n");
    node.textContent = String(items.length);
    node.addEventListener("click", function () { reveal(id); });
    return { node: node, worst: worst };
  }

  function showProblems(problems) {
    clearMarks();
    problemList.textContent = "";
    var registry = modeler.get("elementRegistry");
    var byElement = {};
    var errors = 0;
    problems.forEach(function (problem) {
      if (problem.severity === "error") {
        errors += 1;
      }
      var li = document.createElement("li");
      li.className = "problem-" + problem.severity;
      li.setAttribute("data-testid", "problem");
      li.setAttribute("data-element-id", problem.element_id || "");
      var button = document.createElement("button");
      button.type = "button";
      var severity = document.createElement("span");
      severity.className = "severity";
      severity.textContent = severityName(problem.severity);
      button.appendChild(severity);
      var where = problem.element_id ? problem.element_id + ": " : "";
      button.appendChild(document.createTextNode(where + problem.message));
      if (problem.element_id) {
        button.addEventListener("click", function () { reveal(problem.element_id); });
      } else {
        button.disabled = true;
      }
      li.appendChild(button);
      problemList.appendChild(li);
      if (problem.element_id && registry.get(problem.element_id)) {
        (byElement[problem.element_id] = byElement[problem.element_id] || []).push(problem);
      }
    });
    var canvas = modeler.get("canvas");
    var overlays = modeler.get("overlays");
    Object.keys(byElement).forEach(function (id) {
      var made = badge(id, byElement[id]);
      canvas.addMarker(id, "lint-" + made.worst);
      marked.push(id);
      overlays.add(id, "lint", { position: { top: -10, right: 10 }, html: made.node });
    });
    var warnings = problems.filter(function (p) { return p.severity === "warning"; }).length;
    var errorCount = ngettext("%(num)s error", "%(num)s errors", errors);
    var warningCount = ngettext("%(num)s warning", "%(num)s warnings", warnings);
    problemCount.textContent = errors + warnings
      ? gettext("(%(errors)s, %(warnings)s)", { errors: errorCount, warnings: warningCount })
      : gettext("(no problems)");
    problemEmpty.hidden = true;
    root.setAttribute("data-lint", errors ? "errors" : warnings ? "warnings" : "clean");
  }

  // -- the view: opens readable where the process starts, with zoom and full-screen controls --
  var view = null;

  function startEvents() {
    return modeler.get("elementRegistry").filter(function (element) {
      var parent = element.parent;
      return element.type === "bpmn:StartEvent" && parent &&
        (parent.type === "bpmn:Process" || parent.type === "bpmn:Participant" || parent.type === "bpmn:Lane");
    }).map(function (element) { return element.id; });
  }

  function showReadable() {
    if (!view) {
      view = window.DiagramView.attach(modeler, document.getElementById("modeler-frame"), {
        focus: startEvents,
        fromLeft: 200 // clear of the palette
      });
    } else {
      view.showFocus();
    }
  }

  // -- the element list: pick an element by keyboard, then Tab on to its panel ---------------
  var picker = document.getElementById("modeler-element");
  var KINDS = [
    { label: gettext("Process"), test: function (type) { return type === "bpmn:Participant" || type === "bpmn:Process"; } },
    { label: gettext("Stages and sub-processes"), test: function (type) { return type === "bpmn:SubProcess"; } },
    { label: gettext("Activities (tasks)"), test: function (type) { return /Task$/.test(type) || type === "bpmn:CallActivity"; } },
    { label: gettext("Events (start, end, timers)"), test: function (type) { return /Event$/.test(type); } },
    { label: gettext("Gateways"), test: function (type) { return /Gateway$/.test(type); } },
    { label: gettext("Lanes"), test: function (type) { return type === "bpmn:Lane"; } }
  ];

  function elementName(element) {
    var name = element.businessObject && element.businessObject.name;
    return name ? String(name).replace(/\s+/g, " ").trim() : element.id;
  }

  function fillPicker() {
    var selected = modeler.get("selection").get();
    var chosen = selected.length === 1 ? selected[0].id : "";
    var shapes = modeler.get("elementRegistry").filter(function (element) {
      return !element.waypoints && !element.labelTarget && element.businessObject && element.type !== "label";
    });
    picker.textContent = "";
    var none = document.createElement("option");
    none.value = "";
    none.textContent = gettext("Choose an element…");
    picker.appendChild(none);
    KINDS.forEach(function (kind) {
      var members = shapes.filter(function (element) { return kind.test(element.type); });
      if (!members.length) {
        return;
      }
      members.sort(function (a, b) { return (a.x - b.x) || (a.y - b.y); });
      var group = document.createElement("optgroup");
      group.label = kind.label;
      members.forEach(function (element) {
        var option = document.createElement("option");
        option.value = element.id;
        option.textContent = elementName(element);
        group.appendChild(option);
      });
      picker.appendChild(group);
    });
    picker.value = chosen;
    if (picker.value !== chosen) {
      picker.value = "";
    }
    document.getElementById("modeler-pick").hidden = false;
  }

  picker.addEventListener("change", function () {
    if (picker.value) {
      reveal(picker.value);
    }
  });
  modeler.on("selection.changed", function (event) {
    var selected = event.newSelection || [];
    var id = selected.length === 1 ? selected[0].id : "";
    if (picker.value !== id) {
      picker.value = id;
      if (picker.value !== id) {
        picker.value = "";
      }
    }
  });
  var refill = null;
  modeler.on("commandStack.changed", function () {
    window.clearTimeout(refill);
    refill = window.setTimeout(fillPicker, 300);
  });

  // -- load, save, check, deploy ------------------------------------------------------------
  function unreadable(warnings) {
    // Content bpmn-js could not read would be dropped by a save: refuse to save it.
    return warnings.filter(function (w) {
      return /unknown|unparsable|unrecognized/i.test(w.message || "");
    });
  }

  function load() {
    status(gettext("Loading…"));
    return request("GET", root.dataset.loadUrl).then(function (answer) {
      if (!answer.ok) {
        throw new Error(answer.body.message || gettext("the server answered %(status)s", { status: answer.status }));
      }
      var data = answer.body;
      state.revision = data.revision;
      state.version = data.source === "version" ? data.version : null;
      return modeler.importXML(data.xml).then(function (result) {
        var lost = unreadable(result.warnings || []);
        state.readable = lost.length === 0;
        if (lost.length) {
          showAlert(gettext(
            "This diagram holds content the modeler cannot read, so saving is off (it would be lost): %(problems)s",
            { problems: lost.map(function (w) { return w.message; }).join("; ") }
          ));
        }
        showReadable();
        fillPicker();
        state.dirty = false;
        root.setAttribute("data-state", "ready");
        status(data.source === "draft"
          ? gettext("Draft loaded.")
          : gettext("Version %(version)s loaded.", { version: data.version }));
        refresh();
      });
    }).catch(function (error) {
      fail(error && error.message ? error.message : gettext("unknown error"));
    });
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function refused(answer) {
    var body = answer.body || {};
    var text = body.message || gettext("The server answered %(status)s.", { status: answer.status });
    if (body.element_id && modeler.get("elementRegistry").get(body.element_id)) {
      showProblems([{ severity: "error", element_id: body.element_id, message: body.message }]);
    }
    showAlert(text);
    status("");
  }

  function save() {
    busy(true);
    status(gettext("Saving…"));
    return currentXml().then(function (xml) {
      return request("PUT", root.dataset.saveUrl, {
        xml: xml, base_revision: state.revision, based_on: state.version
      });
    }).then(function (answer) {
      busy(false);
      if (!answer.ok) {
        refused(answer);
        return false;
      }
      state.revision = answer.body.revision;
      state.dirty = false;
      showAlert("");
      root.setAttribute("data-revision", state.revision);
      status(gettext("Draft saved at %(time)s.", { time: new Date().toLocaleTimeString(document.documentElement.lang || undefined) }));
      showProblems(answer.body.problems || []);
      return true;
    }).catch(function (error) {
      busy(false);
      showAlert(gettext("The draft could not be saved: %(reason)s", { reason: error.message || error }));
      return false;
    });
  }

  function check() {
    busy(true);
    status(gettext("Checking…"));
    currentXml().then(function (xml) {
      return request("POST", root.dataset.lintUrl, { xml: xml });
    }).then(function (answer) {
      busy(false);
      if (!answer.ok) {
        refused(answer);
        return;
      }
      status(gettext("Checked."));
      showProblems(answer.body.problems || []);
    });
  }

  function deploy(mode, disablePrevious) {
    var saved = state.dirty || !state.revision ? save() : Promise.resolve(true);
    saved.then(function (ok) {
      if (!ok) {
        return;
      }
      busy(true);
      status(gettext("Deploying…"));
      request("POST", root.dataset.deployUrl, {
        mode: mode, disable_previous: disablePrevious, base_revision: state.revision
      }).then(function (answer) {
        busy(false);
        if (!answer.ok) {
          refused(answer);
          return;
        }
        state.dirty = false;
        window.location.assign(answer.body.next);
      });
    });
  }

  modeler.on("commandStack.changed", function (event) {
    if (event.trigger === "clear") {
      return;
    }
    state.dirty = true;
    status(gettext("Unsaved changes."));
  });
  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  buttons.save.addEventListener("click", save);
  buttons.lint.addEventListener("click", check);
  buttons.deploy.addEventListener("click", function () {
    dialog.returnValue = "";
    dialog.showModal();
  });
  var form = document.getElementById("deploy-form");
  var disableBox = form.elements.disable_previous;
  function syncDialog() {
    var migrate = form.elements.mode.value === "migrate";
    disableBox.disabled = migrate;
    if (migrate) {
      disableBox.checked = false;
    }
  }
  Array.prototype.forEach.call(form.elements.mode, function (radio) {
    radio.addEventListener("change", syncDialog);
  });
  dialog.addEventListener("close", function () {
    if (dialog.returnValue === "deploy") {
      deploy(form.elements.mode.value, disableBox.checked);
    }
  });
  var discardForm = document.getElementById("modeler-discard-form");
  if (discardForm) {
    discardForm.addEventListener("submit", function (event) {
      if (!window.confirm(gettext("Discard the draft? Its changes are lost; versions and deals stay as they are."))) {
        event.preventDefault();
      } else {
        state.dirty = false;
      }
    });
  }
  load();
})();
