/* gettext for the pages' scripts: the strings of static/js in the language of the page.
 *
 * The page carries its catalog as <script type="application/json" id="i18n-catalog">:
 * {"messages": {msgid: translation or [plural forms]}, "plurals": [form index for n = 0..199]}
 * (the server computes the indices with the language's gettext plural rule, so no rule is
 * evaluated here: the Content-Security-Policy allows no eval). English needs no catalog.
 *
 *   gettext("Moved to %(stage)s", {stage: name})
 *   ngettext("%(num)s deal", "%(num)s deals", count)        // %(num)s is the count
 */
(function () {
  "use strict";

  var catalog = null;

  function load() {
    if (catalog === null) {
      catalog = { messages: {}, plurals: [] };
      var node = document.getElementById("i18n-catalog");
      if (node) {
        try {
          catalog = JSON.parse(node.textContent);
        } catch (ignored) {
          catalog = { messages: {}, plurals: [] };
        }
      }
    }
    return catalog;
  }

  function fill(text, params) {
    if (!params) {
      return text;
    }
    return text.replace(/%\((\w+)\)[sd]|%%/g, function (whole, name) {
      if (whole === "%%") {
        return "%";
      }
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  function pluralIndex(n) {
    var plurals = load().plurals;
    if (!plurals.length) {
      return n === 1 ? 0 : 1;
    }
    var at = Math.abs(Math.floor(n));
    return plurals[at < plurals.length ? at : (at % 100) + 100];
  }

  window.gettext = function (message, params) {
    var found = load().messages[message];
    return fill(typeof found === "string" && found ? found : message, params);
  };

  window.ngettext = function (singular, plural, n, params) {
    var values = Object.assign({ num: n }, params || {});
    var forms = load().messages[singular];
    if (Array.isArray(forms) && forms.length) {
      var form = forms[Math.min(pluralIndex(n), forms.length - 1)];
      if (form) {
        return fill(form, values);
      }
    }
    return fill(n === 1 ? singular : plural, values);
  };
})();
