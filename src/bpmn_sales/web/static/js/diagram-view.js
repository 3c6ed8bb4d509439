/* Reading a bpmn-js diagram (the deal page's viewer and the modeler): open it at a readable scale
 * on the elements that matter, and wire the page's view controls (templates/_diagram_controls.html):
 * zoom in, zoom out, fit, back to the current step, full screen (Escape leaves it).
 * Exposed as window.DiagramView.attach(bpmn, frame, options). */
(function () {
  "use strict";

  // Below this scale a task's label is no longer legible; the view never opens smaller.
  var READABLE = 0.75;
  var PADDING = 48;

  function shapesOf(registry, ids) {
    return (ids || [])
      .map(function (id) { return registry.get(id); })
      .filter(function (element) { return element && !element.waypoints && element.width; });
  }

  function box(elements) {
    var left = Infinity;
    var top = Infinity;
    var right = -Infinity;
    var bottom = -Infinity;
    elements.forEach(function (element) {
      left = Math.min(left, element.x);
      top = Math.min(top, element.y);
      right = Math.max(right, element.x + element.width);
      bottom = Math.max(bottom, element.y + element.height);
    });
    return { x: left, y: top, width: right - left, height: bottom - top };
  }

  /* Show `area` (diagram coordinates) centred, at scale 1 when it fits, smaller down to READABLE
   * when it does not; `anchor` (a smaller area) is what stays centred once the scale is floored.
   * `fromLeft`: put the area that many pixels from the left edge instead (where a process starts). */
  function showArea(canvas, area, anchor, fromLeft) {
    var outer = canvas.viewbox().outer;
    if (!outer.width || !outer.height) {
      return;
    }
    var fit = Math.min(
      (outer.width - 2 * PADDING) / area.width,
      (outer.height - 2 * PADDING) / area.height
    );
    var scale = Math.max(READABLE, Math.min(1, fit));
    var centreOn = scale > fit && anchor ? anchor : area;
    var width = outer.width / scale;
    var height = outer.height / scale;
    canvas.viewbox({
      x: fromLeft ? centreOn.x - fromLeft / scale : centreOn.x + centreOn.width / 2 - width / 2,
      y: centreOn.y + centreOn.height / 2 - height / 2,
      width: width,
      height: height
    });
  }

  function percent(scale) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "percent",
        maximumFractionDigits: 0
      }).format(scale);
    } catch (error) {
      return Math.round(scale * 100) + "%";
    }
  }

  /**
   * `bpmn`: a bpmn-js Viewer or Modeler, its diagram imported. `frame`: the element holding the
   * controls and the canvas (it is what goes full screen). `options.focus()`: the element ids to
   * open on (and to go back to with the "current" control); `options.anchor()`: the smaller set
   * kept centred when the first does not fit at a readable scale; `options.fromLeft`: open with
   * the focus that many pixels from the left edge rather than centred.
   */
  function attach(bpmn, frame, options) {
    options = options || {};
    var canvas = bpmn.get("canvas");
    var registry = bpmn.get("elementRegistry");
    var zoomScroll = bpmn.get("zoomScroll");
    var controls = frame.querySelector(".diagram-controls");
    var level = frame.querySelector("[data-diagram-zoom-level]");

    function showFocus() {
      var focus = shapesOf(registry, options.focus ? options.focus() : []);
      if (!focus.length) {
        canvas.zoom("fit-viewport", "auto");
        return false;
      }
      var anchor = shapesOf(registry, options.anchor ? options.anchor() : []);
      showArea(canvas, box(focus), anchor.length ? box(anchor) : null, options.fromLeft);
      return true;
    }

    function showLevel() {
      var scale = canvas.zoom();
      frame.setAttribute("data-scale", String(Math.round(scale * 1000) / 1000));
      if (level) {
        level.textContent = percent(scale);
      }
    }

    // While the frame covers the window, what it hides is out of the Tab order and of reach of
    // assistive technology (inert); leaving full screen gives it back.
    var madeInert = [];

    function hideTheRest(on) {
      madeInert.forEach(function (node) { node.inert = false; });
      madeInert = [];
      if (!on) {
        return;
      }
      for (var node = frame; node && node !== document.body; node = node.parentElement) {
        var parent = node.parentElement;
        if (!parent) {
          break;
        }
        Array.prototype.forEach.call(parent.children, function (sibling) {
          if (sibling !== node && !sibling.inert && sibling.tagName !== "SCRIPT") {
            sibling.inert = true;
            madeInert.push(sibling);
          }
        });
      }
    }

    function setFullScreen(on) {
      var centre = canvas.viewbox();
      var middle = { x: centre.x + centre.width / 2, y: centre.y + centre.height / 2 };
      var scale = centre.scale;
      frame.classList.toggle("diagram-fullscreen", on);
      document.body.classList.toggle("diagram-fullscreen-open", on);
      hideTheRest(on);
      var button = frame.querySelector("[data-diagram-action=fullscreen]");
      if (button) {
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
      canvas.resized();
      var outer = canvas.viewbox().outer;
      canvas.viewbox({
        x: middle.x - outer.width / scale / 2,
        y: middle.y - outer.height / scale / 2,
        width: outer.width / scale,
        height: outer.height / scale
      });
    }

    var actions = {
      "zoom-in": function () { zoomScroll.stepZoom(1); },
      "zoom-out": function () { zoomScroll.stepZoom(-1); },
      fit: function () { canvas.zoom("fit-viewport", "auto"); },
      current: showFocus,
      fullscreen: function () { setFullScreen(!frame.classList.contains("diagram-fullscreen")); }
    };

    if (controls) {
      controls.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("[data-diagram-action]");
        if (button && controls.contains(button) && actions[button.dataset.diagramAction]) {
          actions[button.dataset.diagramAction]();
        }
      });
      controls.hidden = false;
    }
    Array.prototype.forEach.call(frame.querySelectorAll("[data-diagram-hint]"), function (hint) {
      hint.hidden = false;
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && frame.classList.contains("diagram-fullscreen")) {
        event.preventDefault();
        setFullScreen(false);
      }
    });
    bpmn.on("canvas.viewbox.changed", showLevel);

    var hasFocus = showFocus();
    showLevel();
    frame.setAttribute("data-view", hasFocus ? "focus" : "fit");
    return { showFocus: showFocus, fullScreen: setFullScreen };
  }

  window.DiagramView = { attach: attach };
})();
