// Writes src/diameter/dictionary/generated/constants.ts from dictionaries/*.dict.
// Usage: npm run gen   (test/dictionary/generated-drift.test.ts fails when it was not run)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDictionary } from '../src/diameter/dictionary/load.js';
import { renderConstants } from '../src/diameter/dictionary/generate.js';

const out = fileURLToPath(new URL('../src/diameter/dictionary/generated/constants.ts', import.meta.url));
writeFileSync(out, renderConstants(loadDictionary()));
console.log(`wrote ${out}`);
