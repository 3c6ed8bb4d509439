#!/usr/bin/env node
// Round-trip BPMN files through bpmn-moddle WITH the modeler's spiffworkflow descriptor
// (web-assets/src/modeler/spiffworkflow.json), as the in-browser modeler reads and writes them:
//
//   node tests/diagrams/roundtrip.mjs OUTDIR FILE...
//
// Writes OUTDIR/<basename of FILE> for each FILE and prints one line per import warning,
// "FILE: warning: message" (content the descriptor does not know would be lost). Exit code 1
// when there was any warning or failure. tests/integration/test_modeler_roundtrip.py compares
// the written files with the originals.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BpmnModdle } from 'bpmn-moddle';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DESCRIPTOR = path.join(HERE, '..', '..', 'web-assets', 'src', 'modeler', 'spiffworkflow.json');

async function main([ outdir, ...files ]) {
  if (!outdir || !files.length) {
    console.error('usage: node tests/diagrams/roundtrip.mjs OUTDIR FILE...');
    return 2;
  }
  const spiffworkflow = JSON.parse(readFileSync(DESCRIPTOR, 'utf8'));
  mkdirSync(outdir, { recursive: true });
  let failed = false;
  for (const file of files) {
    const moddle = new BpmnModdle({ spiffworkflow });
    try {
      const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'), 'bpmn:Definitions');
      for (const warning of warnings) {
        failed = true;
        console.log(`${file}: warning: ${String(warning.message).replace(/\s*\n\s*/g, '; ')}`);
      }
      const { xml } = await moddle.toXML(rootElement, { format: true });
      writeFileSync(path.join(outdir, path.basename(file)), xml);
    } catch (err) {
      failed = true;
      console.log(`${file}: failed: ${err.message}`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  err => { console.error(err && err.stack || err); process.exitCode = 1; }
);
