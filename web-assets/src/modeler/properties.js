// Read and write <spiffworkflow:properties><spiffworkflow:property name=".." value=".."/> in an
// element's extensionElements: the sales rules, exactly as the bundled diagrams carry them.
// Every other extension element is left where it is, untouched.

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const CONTAINER = 'spiffworkflow:Properties';
const PROPERTY = 'spiffworkflow:Property';

function containers(bo) {
  const extensions = bo && bo.get ? bo.get('extensionElements') : null;
  return extensions ? (extensions.get('values') || []).filter(value => is(value, CONTAINER)) : [];
}

/** Every property element of the element, in document order. */
export function propertyElements(bo) {
  return containers(bo).flatMap(container => container.get('values') || []);
}

/** name -> value; when a name is given twice the last one wins, as in SpiffWorkflow. */
export function readProperties(bo) {
  const found = new Map();
  for (const property of propertyElements(bo)) {
    if (property.name && property.value !== undefined) {
      found.set(property.name, property.value);
    }
  }
  return found;
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function removal(element, bo, container, name) {
  const left = container.get('values').filter(property => property.name !== name);
  if (left.length) {
    return [ update(element, container, { values: left }) ];
  }
  const extensions = bo.get('extensionElements');
  const others = extensions.get('values').filter(value => value !== container);
  return others.length
    ? [ update(element, extensions, { values: others }) ]
    : [ update(element, bo, { extensionElements: undefined }) ];
}

/**
 * Set property `name` of `element` to `value` (a string), or remove it (`value` undefined), as
 * one undoable command. The properties container and extensionElements are created when needed
 * and removed when they become empty.
 */
export function setProperty(injector, element, name, value) {
  const bo = getBusinessObject(element);
  const moddle = injector.get('moddle');
  const commands = [];
  let extensions = bo.get('extensionElements');
  let container = containers(bo).find(candidate =>
    (candidate.get('values') || []).some(property => property.name === name)
  ) || containers(bo)[0];

  if (value === undefined) {
    if (container && container.get('values').some(property => property.name === name)) {
      commands.push(...removal(element, bo, container, name));
    }
  } else {
    if (!extensions) {
      extensions = moddle.create('bpmn:ExtensionElements', { values: [] });
      extensions.$parent = bo;
      commands.push(update(element, bo, { extensionElements: extensions }));
    }
    if (!container) {
      container = moddle.create(CONTAINER, { values: [] });
      container.$parent = extensions;
      commands.push(update(element, extensions, { values: [ ...extensions.get('values'), container ] }));
    }
    const existing = container.get('values').filter(property => property.name === name);
    if (existing.length) {
      commands.push(update(element, existing[existing.length - 1], { value: String(value) }));
    } else {
      const property = moddle.create(PROPERTY, { name, value: String(value) });
      property.$parent = container;
      commands.push(update(element, container, { values: [ ...container.get('values'), property ] }));
    }
  }
  if (commands.length) {
    injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
  }
}
