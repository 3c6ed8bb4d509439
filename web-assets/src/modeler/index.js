// The bundle behind the modeler page: bpmn-js's Modeler with the properties panel, our
// spiffworkflow moddle descriptor and the "Sales rules" group. Built by scripts/vendor-assets
// into static/vendor/modeler/ and exposed as window.BpmnSalesModeler.

import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import SalesRulesProvider from './sales-rules-provider.js';
import spiffworkflow from './spiffworkflow.json';

const SalesRulesModule = {
  __init__: [ 'salesRulesProvider' ],
  salesRulesProvider: [ 'type', SalesRulesProvider ]
};

/** A modeler drawing into `container`, its properties panel in `panel`. */
export function create({ container, panel, vocabulary, keyboard }) {
  return new BpmnModeler({
    container,
    keyboard: keyboard ? { bindTo: keyboard } : undefined,
    // Our group starts open: it is what a designer comes to the panel for.
    propertiesPanel: { parent: panel, layout: { groups: { 'sales-rules': { open: true } } } },
    additionalModules: [ BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SalesRulesModule ],
    moddleExtensions: { spiffworkflow },
    salesRules: { vocabulary }
  });
}

export { spiffworkflow as descriptor };
