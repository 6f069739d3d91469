// `diamond decode`: prints Diameter messages from hex or a file of raw message bytes.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DiamondError, ErrorCode } from '../errors.js';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { loadDictionary } from '../diameter/dictionary/load.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { formatMessage, messageToJson } from '../diameter/codec/inspect.js';
import type { Message } from '../diameter/codec/message.js';
import { Result } from '../diameter/dictionary/generated/constants.js';

export interface DecodedItem {
  offset: number;
  message: Message;
  warnings: string[];
}

/** Structural problems end decoding; value problems are reported beside the tree. */
const FATAL: ReadonlySet<number> = new Set([
  Result.DIAMETER_INVALID_MESSAGE_LENGTH,
  Result.DIAMETER_INVALID_AVP_LENGTH,
  Result.DIAMETER_UNSUPPORTED_VERSION,
]);

/** Splits concatenated messages and decodes each; throws DiamondError with a byte offset. */
export function decodeStream(bytes: Buffer, dict: Dictionary): DecodedItem[] {
  const out: DecodedItem[] = [];
  let pos = 0;
  if (bytes.length === 0) throw new DiamondError(ErrorCode.CLI_INPUT, 'offset 0: no bytes to decode', 0);
  while (pos < bytes.length) {
    const rest = bytes.subarray(pos);
    const length = rest.length >= 4 ? rest.readUIntBE(1, 3) : rest.length;
    const { message, issues } = decodeMessage(rest.subarray(0, Math.max(length, Math.min(rest.length, 20))), dict);
    const fatal = issues.find((i) => FATAL.has(i.resultCode));
    if (!message || fatal) {
      const i = fatal ?? issues[0]!;
      throw new DiamondError(ErrorCode.CLI_INPUT, `offset ${pos + i.offset}: ${i.message}`, pos + i.offset);
    }
    out.push({ offset: pos, message, warnings: issues.map((i) => `offset ${pos + i.offset}: ${i.message}`) });
    pos += length;
  }
  return out;
}

function readInput(file: string | undefined, hex: string | undefined): Buffer {
  if (hex !== undefined) {
    const clean = hex.replace(/^0x/i, '').replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) {
      throw new DiamondError(ErrorCode.CLI_INPUT, 'offset 0: --hex expects an even number of hex digits');
    }
    return Buffer.from(clean, 'hex');
  }
  if (file === undefined) throw new DiamondError(ErrorCode.CLI_INPUT, 'give a FILE or --hex HEX');
  try {
    return readFileSync(file);
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `cannot read ${file}: ${(err as Error).message}`);
  }
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('print Diameter messages (raw bytes in FILE, or --hex) as a tree or JSON')
    .argument('[file]', 'file of raw Diameter message bytes (one or more messages back to back)')
    .option('--hex <hex>', 'message bytes as hex')
    .option('--json', 'print JSON: {"messages":[...]}')
    .option('--dictionary <file...>', 'extra dictionary files to load')
    .action((file: string | undefined, opts: { hex?: string; json?: boolean; dictionary?: string[] }) => {
      const dict = loadDictionary(opts.dictionary ?? []);
      const items = decodeStream(readInput(file, opts.hex), dict);
      for (const item of items) for (const w of item.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ messages: items.map((i) => messageToJson(dict, i.message)) }, null, 2)}\n`);
      } else {
        process.stdout.write(`${items.map((i) => formatMessage(dict, i.message)).join('\n\n')}\n`);
      }
    });
}
