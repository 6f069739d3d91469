// Writes test/golden/NAME.hex and NAME.txt (the decoded tree) for every golden message.
// Review the .txt diff by eye before committing: it is the expected decoding.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { formatMessage } from '../src/diameter/codec/inspect.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { golden } from '../test/golden/messages.js';

const dir = fileURLToPath(new URL('../test/golden/', import.meta.url));
const dict = defaultDictionary();
for (const [name, bytes] of Object.entries(golden)) {
  const { message, issues } = decodeMessage(bytes, dict);
  if (!message || issues.length > 0) throw new Error(`${name}: ${issues.map((i) => i.message).join('; ')}`);
  writeFileSync(`${dir}${name}.hex`, `${bytes.toString('hex').replace(/(.{64})/g, '$1\n').trim()}\n`);
  writeFileSync(`${dir}${name}.txt`, `${formatMessage(dict, message)}\n`);
  console.log(`${name}: ${bytes.length} bytes`);
}
