// `diamond decode`: prints Diameter messages from hex, a file of raw message bytes, or a capture
// (pcap/pcapng, recognised by its magic number whatever the file is called).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DiamondError, ErrorCode } from '../errors.js';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { loadDictionary } from '../diameter/dictionary/load.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { formatMessage, messageToJson } from '../diameter/codec/inspect.js';
import type { Message } from '../diameter/codec/message.js';
import { Result } from '../diameter/dictionary/generated/constants.js';
import { findAvp } from '../diameter/codec/message.js';
import { MessageSelector } from '../replay/select.js';
import { captureItemJson, captureItemText, decodeCapture, isCapture } from './decode-capture.js';

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

interface DecodeOptions {
  hex?: string;
  json?: boolean;
  dictionary?: string[];
  app?: string[];
  cmd?: string[];
  session?: string;
  port?: string[];
}

function ports(opts: DecodeOptions): number[] | undefined {
  if (!opts.port) return undefined;
  const list = opts.port.flatMap((p) => p.split(',')).map((p) => p.trim());
  for (const p of list) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) throw new DiamondError(ErrorCode.CLI_INPUT, `--port: expected port numbers 0-65535, got "${p}"`);
  }
  return [3868, 5868, ...list.map(Number)];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Capture input: everything read is printed, then a damaged file ends with the record named. */
function decodeCaptureFile(file: string, bytes: Buffer, dict: Dictionary, selector: MessageSelector, opts: DecodeOptions): void {
  const r = decodeCapture(bytes, dict, { selector, session: opts.session }, ports(opts));
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ messages: r.items.map((i) => captureItemJson(dict, i)) }, null, 2)}\n`);
  } else if (r.items.length > 0) {
    process.stdout.write(`${r.items.map((i) => captureItemText(dict, i)).join('\n\n')}\n`);
  }
  if (r.error) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `${file}: ${r.error.message} (read before it: ${plural(r.frames, 'frame')}, ${plural(r.items.length, 'message')} printed)`);
  }
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('print Diameter messages (raw bytes or a pcap/pcapng capture in FILE, or --hex) as a tree or JSON')
    .argument('[file]', 'a pcap/pcapng capture, or raw Diameter message bytes (one or more back to back)')
    .option('--hex <hex>', 'message bytes as hex')
    .option('--json', 'print JSON: {"messages":[...]} (captures add frame, time, src, srcPort, dst, dstPort, transport)')
    .option('--dictionary <file...>', 'extra dictionary files to load')
    .option('--app <app...>', 'only these applications (id or name: S6a, Cx, 16777251; comma separated)')
    .option('--cmd <cmd...>', 'only these commands (code or name: 316, ULR, Update-Location; comma separated)')
    .option('--session <text>', 'only messages whose Session-Id contains this text')
    .option('--port <port...>', 'captures: more TCP/SCTP ports that carry Diameter (3868 and 5868 always do)')
    .action((file: string | undefined, opts: DecodeOptions) => {
      const dict = loadDictionary(opts.dictionary ?? []);
      const selector = MessageSelector.fromAppsAndCommands(dict, opts.app ?? [], opts.cmd ?? []);
      const bytes = readInput(file, opts.hex);
      if (file !== undefined && opts.hex === undefined && isCapture(bytes)) {
        decodeCaptureFile(file, bytes, dict, selector, opts);
        return;
      }
      const items = decodeStream(bytes, dict).filter((i) => {
        if (!selector.matches(i.message.applicationId, i.message.commandCode)) return false;
        if (opts.session === undefined) return true;
        const sid = findAvp(i.message.avps, 263)?.value;
        return typeof sid === 'string' && sid.includes(opts.session);
      });
      for (const item of items) for (const w of item.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ messages: items.map((i) => messageToJson(dict, i.message)) }, null, 2)}\n`);
      } else {
        process.stdout.write(`${items.map((i) => formatMessage(dict, i.message)).join('\n\n')}\n`);
      }
    });
}
