// The "Sales rules" group of the properties panel: the element's spiffworkflow:properties shown
// as the vocabulary's fields (numbers, checkboxes, selects, lists), not as raw key/value pairs.

import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import {
  CheckboxEntry,
  NumberFieldEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isNumberFieldEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

import { readProperties, setProperty } from './properties.js';
import { Vocabulary, inputKind, kindOf, label, validate } from './vocabulary.js';

const LOW_PRIORITY = 500;
// Write on every input: a save right after typing must see the value.
const immediately = fn => fn;

const EDITED = {
  number: isNumberFieldEntryEdited,
  checkbox: isCheckboxEntryEdited,
  select: isSelectEntryEdited,
  textarea: isTextAreaEntryEdited,
  text: isTextFieldEntryEdited,
  list: isTextFieldEntryEdited
};

function describe(field, translate) {
  const { schema } = field;
  const parts = [];
  if (schema.description) {
    const described = translate(schema.description);
    const text = described.charAt(0).toUpperCase() + described.slice(1);
    parts.push(/[.)。）]$/.test(text) ? text : translate('{sentence}.', { sentence: text }));
  }
  if (schema.type === 'array') {
    parts.push(translate('Separate items with ";".'));
    if (schema.items && schema.items.description) {
      parts.push(translate('Each: {what}.', { what: translate(schema.items.description) }));
    }
  }
  if (schema.default !== undefined && schema.type !== 'boolean') {
    const shown = Array.isArray(schema.default)
      ? schema.default.join('; ') || translate('none') : schema.default;
    parts.push(translate('Default: {value}.', { value: shown }));
  }
  return parts.join(' ');
}

function SalesRuleEntry(props) {
  const { element, id, field, required } = props;
  const injector = useService('injector');
  const translate = useService('translate');
  const { name, schema } = field;
  const kind = inputKind(schema);
  const read = () => readProperties(getBusinessObject(element)).get(name);
  const write = value => setProperty(injector, element, name, value);
  const check = value => validate(value, schema, required);
  const common = {
    element, id, label: translate(label(name)), description: describe(field, translate), debounce: immediately
  };

  if (kind === 'checkbox') {
    return jsx(CheckboxEntry, {
      ...common,
      getValue: () => read() === 'true',
      // Unchecked is the default (false): leave the property out rather than write "false".
      setValue: checked => write(checked ? 'true' : (schema.default === false ? undefined : 'false'))
    });
  }
  if (kind === 'select') {
    return jsx(SelectEntry, {
      ...common,
      getValue: () => read() || '',
      setValue: value => write(value || undefined),
      getOptions: () => [
        { value: '', label: translate(required ? '(choose)' : '(not set)') },
        ...schema.enum.map(value => ({ value, label: value }))
      ],
      validate: value => check(value || undefined)
    });
  }
  if (kind === 'number') {
    return jsx(NumberFieldEntry, {
      ...common,
      // No min/max on the input: an out-of-range value is written and named, not dropped.
      step: schema.type === 'integer' ? 1 : 'any',
      getValue: () => read(),
      setValue: value => write(value === undefined || Number.isNaN(value) ? undefined : String(value)),
      validate: value => check(value === undefined ? undefined : String(value))
    });
  }
  const entry = kind === 'textarea' ? TextAreaEntry : TextFieldEntry;
  return jsx(entry, {
    ...common,
    getValue: () => read() || '',
    setValue: value => write(value === undefined || value === '' ? undefined : value),
    validate: value => check(value),
    ...(kind === 'textarea' ? { rows: 3, autoResize: true } : {})
  });
}

function OtherProperties(props) {
  const { element, names } = props;
  const translate = useService('translate');
  const values = readProperties(getBusinessObject(element));
  return jsx('div', {
    class: 'bio-properties-panel-entry sales-rules-others',
    'data-entry-id': 'sales-others',
    children: [
      jsx('p', { class: 'bio-properties-panel-label', children: translate('Other properties (kept as they are)') }),
      jsx('ul', {
        children: names.map(name => jsx('li', { children: `${name} = ${values.get(name)}` }))
      }),
      jsx('p', {
        class: 'bio-properties-panel-description',
        children: translate('Not part of this element\'s sales rules: the check lists them as problems.')
      })
    ]
  });
}

export default function SalesRulesProvider(propertiesPanel, config, translate) {
  const vocabulary = new Vocabulary(config && config.vocabulary);

  this.getGroups = element => groups => {
    const found = kindOf(element);
    if (!found) {
      return groups;
    }
    const fields = vocabulary.fields(found.kind, found.offer);
    const required = vocabulary.required(found.kind);
    const known = new Set(fields.map(field => field.name));
    const entries = fields.map(field => ({
      id: `sales-${field.name}`,
      field,
      required: required.includes(field.name),
      component: SalesRuleEntry,
      isEdited: EDITED[inputKind(field.schema)]
    }));
    const others = [ ...readProperties(getBusinessObject(element)).keys() ]
      .filter(name => !known.has(name));
    if (others.length) {
      entries.push({ id: 'sales-others', names: others, component: OtherProperties });
    }
    const group = { id: 'sales-rules', label: translate('Sales rules'), entries };
    const general = groups.findIndex(candidate => candidate.id === 'general');
    groups.splice(general === -1 ? 0 : general + 1, 0, group);
    return groups;
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

SalesRulesProvider.$inject = [ 'propertiesPanel', 'config.salesRules', 'translate' ];
