// The bundle behind the modeler page: bpmn-js's Modeler with the properties panel, our
// spiffworkflow moddle descriptor and the "Sales rules" group. Built by scripts/vendor-assets
// into static/vendor/modeler/ and exposed as window.BpmnSalesModeler.

import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import {
  CollapsibleEntry,
  FeelEntry,
  Group,
  Header,
  JsonEditorEntry,
  ListEntry,
  ListGroup,
  ListItem,
  SimpleEntry,
  TextAreaEntry
} from '@bpmn-io/properties-panel';
import { options } from '@bpmn-io/properties-panel/preact';

import SalesRulesProvider from './sales-rules-provider.js';
import spiffworkflow from './spiffworkflow.json';

const SalesRulesModule = {
  __init__: [ 'salesRulesProvider' ],
  salesRulesProvider: [ 'type', SalesRulesProvider ]
};

// The properties panel's own components show their built-in texts ("Toggle section", "Open
// pop-up editor", ...) through a `translate` prop, English when it is left out, and
// bpmn-js-properties-panel leaves it out: preact's vnode hook hands them the page's, both to
// these components and to any inner component that is handed `translate: undefined` (an entry
// called as a plain function, like the documentation's TextAreaEntry, passes it on that way).
const TAKES_TRANSLATE = new Set([
  CollapsibleEntry, FeelEntry, Group, Header, JsonEditorEntry, ListEntry, ListGroup, ListItem,
  SimpleEntry, TextAreaEntry
]);
let panelTranslate = null;
const nextVnodeHook = options.vnode;
options.vnode = vnode => {
  const { type, props } = vnode;
  if (panelTranslate && typeof type === 'function' && props && props.translate === undefined &&
      (TAKES_TRANSLATE.has(type) || Object.prototype.hasOwnProperty.call(props, 'translate'))) {
    props.translate = panelTranslate;
  }
  if (nextVnodeHook) {
    nextVnodeHook(vnode);
  }
};

/**
 * A modeler drawing into `container`, its properties panel in `panel`. `translate(template,
 * replacements)`, when given, replaces bpmn-js's own (English) translate service: every text
 * bpmn-js, diagram-js, the properties panel and our group show passes through it.
 */
export function create({ container, panel, vocabulary, keyboard, translate }) {
  const modules = [ BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SalesRulesModule ];
  if (typeof translate === 'function') {
    modules.push({ translate: [ 'value', translate ] });
    panelTranslate = translate;
  }
  return new BpmnModeler({
    container,
    keyboard: keyboard ? { bindTo: keyboard } : undefined,
    // Our group starts open: it is what a designer comes to the panel for.
    propertiesPanel: { parent: panel, layout: { groups: { 'sales-rules': { open: true } } } },
    additionalModules: modules,
    moddleExtensions: { spiffworkflow },
    salesRules: { vocabulary }
  });
}

export { spiffworkflow as descriptor };
