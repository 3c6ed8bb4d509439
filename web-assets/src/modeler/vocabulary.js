// The sales-rule vocabulary as the page receives it from the server (engine/diagrams/vocabulary.schema.json,
// the single definition): which properties an element kind has, how to label, show and check them.
// The server's lint stays the judge; these checks only give quick messages beside the inputs.

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { readProperties } from './properties.js';

const STAGE_TYPES = [ 'bpmn:SubProcess', 'bpmn:Transaction', 'bpmn:AdHocSubProcess' ];
const TERMINAL_TYPES = [ 'bpmn:EndEvent', 'bpmn:IntermediateThrowEvent' ];

const LABELS = {
  stage_order: 'Stage order',
  stage_key: 'Stage key',
  stage_win_rate: 'Win rate (%)',
  stage_required_fields: 'Required fields',
  stage_fields: 'Optional fields',
  stage_min_contacts: 'Minimum contacts',
  stage_optional: 'Optional stage (may be skipped)',
  stage_approval: 'Approval to leave the stage',
  stage_phase: 'Phase',
  activity_order: 'Checklist position',
  obligatory: 'Obligatory (needed to win)',
  completed_by: 'Completed by',
  note_required: 'Note required',
  notify: 'Notify on completion',
  follow_up_title: 'Follow-up task title',
  follow_up_due_days: 'Follow-up due after (days)',
  follow_up_assignee: 'Follow-up assignee',
  outcome_probability: 'Probability (%)',
  order_required: 'An order is needed to win',
  orders_from_stage: 'Orders from stage (key)',
  orders_after_stage: 'Orders after stage completed (key)',
  formJsonSchemaFilename: 'Form schema file',
  formUiSchemaFilename: 'Form UI schema file'
};

export function label(name) {
  if (LABELS[name]) {
    return LABELS[name];
  }
  const words = name.replace(/^stage_/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isStage(bo) {
  return STAGE_TYPES.some(type => is(bo, type)) && readProperties(bo).has('stage_order');
}

function inStage(bo) {
  for (let parent = bo.$parent; parent; parent = parent.$parent) {
    if (isStage(parent)) {
      return true;
    }
  }
  return false;
}

/**
 * The vocabulary kind of an element, as engine/diagrams/vocabulary.py's element_kind decides it, and the
 * kind it may become: a sub-process without stage_order is offered stage_order (which makes it
 * a stage); an end event without outcome is offered outcome (which makes it a terminal).
 */
export function kindOf(element) {
  const bo = getBusinessObject(element);
  if (!bo || !is(bo, 'bpmn:FlowNode')) {
    return null;
  }
  const props = readProperties(bo);
  if (STAGE_TYPES.some(type => is(bo, type))) {
    return props.has('stage_order') ? { kind: 'stage' } : { kind: 'other', offer: 'stage_order' };
  }
  if (is(bo, 'bpmn:UserTask')) {
    return { kind: inStage(bo) ? 'activity' : 'task' };
  }
  if (TERMINAL_TYPES.some(type => is(bo, type))) {
    return props.has('outcome') ? { kind: 'terminal' } : { kind: 'other', offer: 'outcome' };
  }
  return { kind: 'other' };
}

export class Vocabulary {
  constructor(schema) {
    this.schema = schema || { $defs: {} };
  }

  resolve(prop) {
    if (prop && prop.$ref) {
      return this.schema.$defs[prop.$ref.split('/').pop()] || {};
    }
    return prop || {};
  }

  /** [name, schema] of the properties of `kind`, plus the one a kind may be offered. */
  fields(kind, offer) {
    const definition = this.schema.$defs[kind];
    const fields = definition ? Object.entries(definition.properties) : [];
    if (offer === 'stage_order') {
      fields.unshift([ 'stage_order', this.schema.$defs.stage.properties.stage_order ]);
    } else if (offer === 'outcome') {
      fields.unshift([ 'outcome', this.schema.$defs.terminal.properties.outcome ]);
    }
    return fields.map(([ name, prop ]) => {
      const resolved = this.resolve(prop);
      const items = resolved.type === 'array' ? this.resolve(resolved.items) : null;
      return { name, schema: { ...resolved, ...(items ? { items } : {}) } };
    });
  }

  required(kind) {
    const definition = this.schema.$defs[kind];
    return (definition && definition.required) || [];
  }
}

/** How a property is edited: number, checkbox, select, list (a;b), textarea or text. */
export function inputKind(schema) {
  if (schema.enum) {
    return 'select';
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return 'number';
  }
  if (schema.type === 'boolean') {
    return 'checkbox';
  }
  if (schema.type === 'array') {
    return 'list';
  }
  return schema.maxLength && schema.maxLength > 200 ? 'textarea' : 'text';
}

function checkScalar(value, schema) {
  if (schema.enum) {
    return schema.enum.includes(value) ? null : `one of ${schema.enum.join(', ')}`;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const text = String(value).trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
      return 'a number';
    }
    const number = Number(text);
    if (schema.type === 'integer' && !Number.isInteger(number)) {
      return 'a whole number';
    }
    if (schema.minimum !== undefined && number < schema.minimum) {
      return `at least ${schema.minimum}`;
    }
    if (schema.maximum !== undefined && number > schema.maximum) {
      return `at most ${schema.maximum}`;
    }
    return null;
  }
  const text = String(value);
  if (schema.minLength && text.length < schema.minLength) {
    return `at least ${schema.minLength} characters`;
  }
  if (schema.maxLength && text.length > schema.maxLength) {
    return `at most ${schema.maxLength} characters`;
  }
  if (schema.pattern && !new RegExp(schema.pattern).test(text)) {
    return schema.description || `text matching ${schema.pattern}`;
  }
  return null;
}

/** A message for a bad value (as the XML string), or null when the value is fine. */
export function validate(value, schema, isRequired) {
  if (value === undefined || value === null || value === '') {
    return isRequired ? 'Required.' : null;
  }
  if (schema.type === 'array') {
    const items = String(value).split(';').map(item => item.trim()).filter(Boolean);
    if (schema.minItems && items.length < schema.minItems) {
      return `Give at least ${schema.minItems} item(s), separated by ';'.`;
    }
    if (schema.uniqueItems && new Set(items).size !== items.length) {
      return 'Each item may be given once.';
    }
    for (const item of items) {
      const expected = checkScalar(item, schema.items || {});
      if (expected) {
        return `'${item}' is not valid: expected ${expected}.`;
      }
    }
    return null;
  }
  const expected = checkScalar(value, schema);
  return expected ? `Expected ${expected}.` : null;
}
