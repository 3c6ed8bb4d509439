#!/usr/bin/env node
// Static checks for the BPMN diagrams in bpmn/.
//
//   node tests/diagrams/check.mjs FILE...
//
// For every FILE:
//   (a) import it with bpmn-moddle and fail on any import warning
//       (unknown elements or attributes, unresolved references, ...);
//   (b) round-trip it (toXML, then fromXML again) and fail if the element ids,
//       their types and names, or the spiffworkflow:* extension content
//       (properties, serviceTaskOperator, messageVariable, ...) changed;
//   (c) lint it with bpmnlint, using tests/diagrams/.bpmnlintrc, and fail on
//       any error or warning.
//
// Prints one line per problem, "FILE: element-id: message", and exits 1 if
// there was any; prints "ok FILE" for every clean file and exits 0 otherwise.
//
// Install the dependencies first: npm ci --prefix tests/diagrams

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPIFF_PREFIX = 'spiffworkflow:';

// Extension elements from namespaces bpmn-moddle has no schema for (like
// spiffworkflow:) are kept as generic elements; they are compared by the XML
// bpmn-moddle serializes them to.
const NO_ID = '-';


function loadLintConfig() {
  return JSON.parse(readFileSync(path.join(HERE, '.bpmnlintrc'), 'utf8'));
}

function createLinter() {
  return new Linter({
    config: loadLintConfig(),

    // resolve bpmnlint (and any plugin) from tests/diagrams/node_modules,
    // whatever the current working directory is
    resolver: new NodeResolver({ require })
  });
}


/**
 * Best effort: the id of the element a moddle import warning is about.
 */
function warningElementId(warning) {
  if (warning.element && warning.element.id) {
    return warning.element.id;
  }

  const line = /line: (\d+)/.exec(warning.message || '');
  const column = /column: (\d+)/.exec(warning.message || '');

  if (line) {
    return `(line ${line[1]}${column ? `, column ${column[1]}` : ''})`;
  }

  return NO_ID;
}

function oneLine(message) {
  return String(message).replace(/\s*\n\s*/g, '; ');
}


/**
 * Visit every moddle element reachable through containment (not references).
 *
 * @param {object} element
 * @param {(element: object, parentId: string) => void} visit
 * @param {string} parentId id of the nearest ancestor that has one
 */
function walk(element, visit, parentId = NO_ID) {
  if (!element || typeof element !== 'object' || !element.$type) {
    return;
  }

  visit(element, parentId);

  const ownId = element.id || parentId;

  // generic (unknown-namespace) elements keep their content in $children
  if (Array.isArray(element.$children)) {
    element.$children.forEach(child => walk(child, visit, ownId));
  }

  const properties = element.$descriptor && element.$descriptor.properties || [];

  for (const property of properties) {
    if (property.isReference || property.isAttr && !property.isMany) {
      continue;
    }

    const value = element.get(property.ns.name);

    if (Array.isArray(value)) {
      value.forEach(child => walk(child, visit, ownId));
    } else if (value && typeof value === 'object' && value.$type) {
      walk(value, visit, ownId);
    }
  }
}


/**
 * Everything that has to survive a round-trip unchanged:
 * element id -> "type|name" and owner id -> serialized spiff extensions.
 */
async function snapshot(moddle, definitions) {
  const elements = new Map();
  const extensionOwners = [];

  walk(definitions, (element, parentId) => {
    if (element.id) {
      elements.set(element.id, JSON.stringify({
        type: element.$type,
        name: element.name === undefined ? null : element.name
      }));
    }

    if (element.extensionElements) {
      extensionOwners.push({ owner: element.id || `${parentId}/${element.$type}`, element });
    }
  });

  const extensions = new Map();

  for (const { owner, element } of extensionOwners) {
    const values = element.extensionElements.values || [];
    const serialized = [];

    for (const value of values) {
      if (!value.$type.startsWith(SPIFF_PREFIX)) {
        continue;
      }

      const { xml } = await moddle.toXML(value, { format: false, preamble: false });
      serialized.push(xml);
    }

    if (serialized.length) {
      extensions.set(owner, serialized.join(''));
    }
  }

  return { elements, extensions };
}

function compareMaps(before, after, what, report) {
  for (const [ key, value ] of before) {
    if (!after.has(key)) {
      report(key, `round-trip lost ${what}: ${value}`);
    } else if (after.get(key) !== value) {
      report(key, `round-trip changed ${what}: ${value} -> ${after.get(key)}`);
    }
  }

  for (const [ key, value ] of after) {
    if (!before.has(key)) {
      report(key, `round-trip added ${what}: ${value}`);
    }
  }
}


async function checkFile(file, linter, report) {
  const moddle = new BpmnModdle();

  let xml;

  try {
    xml = readFileSync(file, 'utf8');
  } catch (err) {
    report(NO_ID, `cannot read file: ${err.message}`);
    return;
  }

  // (a) import
  let imported;

  try {
    imported = await moddle.fromXML(xml, 'bpmn:Definitions');
  } catch (err) {
    report(NO_ID, `import failed: ${oneLine(err.message)}`);
    return;
  }

  for (const warning of imported.warnings) {
    report(warningElementId(warning), `import warning: ${oneLine(warning.message)}`);
  }

  const definitions = imported.rootElement;

  // (b) round-trip
  try {
    const before = await snapshot(moddle, definitions);

    const { xml: exported } = await moddle.toXML(definitions, { format: true });
    const reimported = await new BpmnModdle().fromXML(exported, 'bpmn:Definitions');

    for (const warning of reimported.warnings) {
      report(warningElementId(warning), `round-trip import warning: ${oneLine(warning.message)}`);
    }

    const after = await snapshot(moddle, reimported.rootElement);

    compareMaps(before.elements, after.elements, 'element', report);
    compareMaps(before.extensions, after.extensions, 'spiffworkflow extensions', report);
  } catch (err) {
    report(NO_ID, `round-trip failed: ${oneLine(err.message)}`);
  }

  // (c) lint
  let results;

  try {
    results = await linter.lint(definitions);
  } catch (err) {
    report(NO_ID, `bpmnlint failed: ${oneLine(err.message)}`);
    return;
  }

  for (const [ rule, reports ] of Object.entries(results)) {
    for (const lintReport of reports) {
      if (lintReport.category === 'info' || lintReport.category === 'off') {
        continue;
      }

      report(
        lintReport.id || NO_ID,
        `${oneLine(lintReport.message)} (bpmnlint ${lintReport.category} ${rule})`
      );
    }
  }
}


async function main(files) {
  if (!files.length) {
    console.error('usage: node tests/diagrams/check.mjs FILE...');
    return 2;
  }

  let failed = false;

  for (const file of files) {
    let problems = 0;

    // One linter per file: some bpmnlint rules keep state inside the linter
    // (no-duplicate-sequence-flows), which must not leak from one file to the next.
    await checkFile(file, createLinter(), (id, message) => {
      problems++;
      console.log(`${file}: ${id}: ${message}`);
    });

    if (problems) {
      failed = true;
    } else {
      console.log(`ok ${file}`);
    }
  }

  return failed ? 1 : 0;
}


main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  err => {
    console.error(err && err.stack || err);
    process.exitCode = 1;
  }
);
