// Human and JSON views of decoded messages (`diamond decode`, message dumps in logs).
// Secrets that travel on the wire (keys, XRES, digest passwords) are masked on request.
import type { Dictionary } from '../dictionary/dictionary.js';
import { AvpFlag } from '../dictionary/model.js';
import { formatPlmnId } from './plmn-id.js';
import { type Avp, type AvpValue, CmdFlag, type Message, type OtherAddress, type PlmnId } from './message.js';

/** AVPs whose values are secrets: masked in logs and dumps unless asked otherwise. */
export const SECRET_AVPS: ReadonlySet<string> = new Set([
  'KASME',
  'XRES',
  'Confidentiality-Key',
  'Integrity-Key',
  'SIP-Authorization',
  'Digest-HA1',
  'Kc',
  'SRES',
  'User-Password',
  'EAP-Master-Session-Key',
]);

export interface InspectOptions {
  /** Names of AVPs whose values are replaced by "***". */
  mask?: ReadonlySet<string>;
}

function flagText(flags: number): string {
  return `${flags & AvpFlag.V ? 'V' : ''}${flags & AvpFlag.M ? 'M' : ''}${flags & AvpFlag.P ? 'P' : ''}` || '-';
}

function isPlmn(v: AvpValue): v is PlmnId {
  return typeof v === 'object' && v !== null && 'mcc' in v;
}
function isOther(v: AvpValue): v is OtherAddress {
  return typeof v === 'object' && v !== null && 'family' in v;
}

function printable(b: Buffer): boolean {
  if (b.length === 0) return false;
  for (const c of b) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

export function valueText(dict: Dictionary, a: Avp, applicationId: number, opts: InspectOptions = {}): string {
  if (a.def && opts.mask?.has(a.def.name)) return '***';
  const v = a.value;
  if (v === undefined) return a.data ? `0x${a.data.toString('hex')}` : '';
  if (Buffer.isBuffer(v)) return printable(v) ? `0x${v.toString('hex')} "${v.toString('latin1')}"` : `0x${v.toString('hex')}`;
  if (typeof v === 'string') return a.def?.type === 'TBCD' ? v : JSON.stringify(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (isPlmn(v)) return `${formatPlmnId(v)} (MCC ${v.mcc} MNC ${v.mnc})`;
  if (isOther(v)) return `family ${v.family} 0x${v.bytes.toString('hex')}`;
  const name = a.def && a.def.enumNames.size > 0 ? dict.enumName(a.def, v, applicationId) : undefined;
  return name ? `${name} (${v})` : String(v);
}

/** Applications of RFC 6733 itself, which no dictionary file declares. */
const BASE_APPLICATIONS: Record<number, string> = { 0: 'Base', 3: 'Base-Accounting', 0xffffffff: 'Relay' };

export function messageTitle(dict: Dictionary, m: Message): string {
  const req = (m.flags & CmdFlag.R) !== 0;
  const cmd = dict.command(m.applicationId, m.commandCode) ?? dict.anyCommand(m.commandCode);
  const app = dict.applications.get(m.applicationId)?.name ?? BASE_APPLICATIONS[m.applicationId] ?? 'unknown';
  const name = cmd ? `${cmd.name}-${req ? 'Request' : 'Answer'} (${req ? cmd.requestName : cmd.answerName})` : `Unknown-${req ? 'Request' : 'Answer'}`;
  const flags = ['R', 'P', 'E', 'T'].filter((_, i) => m.flags & (0x80 >> i)).join('') || '-';
  return `${name} cmd=${m.commandCode} app=${m.applicationId} (${app}) flags=${flags} hbh=0x${m.hopByHopId.toString(16).padStart(8, '0')} e2e=0x${m.endToEndId.toString(16).padStart(8, '0')}`;
}

/** Indented tree, one AVP per line. */
export function formatMessage(dict: Dictionary, m: Message, opts: InspectOptions = {}): string {
  const lines = [messageTitle(dict, m)];
  const walk = (avps: Avp[], depth: number): void => {
    for (const a of avps) {
      const id = a.vendorId ? `${a.code} v${a.vendorId}` : `${a.code}`;
      const name = a.def?.name ?? 'Unknown-AVP';
      const pad = '  '.repeat(depth);
      if (a.avps) {
        lines.push(`${pad}${name} (${id}) [${flagText(a.flags)}]`);
        walk(a.avps, depth + 1);
      } else {
        lines.push(`${pad}${name} (${id}) [${flagText(a.flags)}] = ${valueText(dict, a, m.applicationId, opts)}`);
      }
    }
  };
  walk(m.avps, 1);
  return lines.join('\n');
}

export interface JsonAvp {
  code: number;
  vendorId: number;
  name?: string;
  flags: { vendor: boolean; mandatory: boolean; protected: boolean };
  type?: string;
  value?: unknown;
  enum?: string;
  hex?: string;
  avps?: JsonAvp[];
}

function jsonValue(v: AvpValue): unknown {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (isOther(v)) return { family: v.family, hex: v.bytes.toString('hex') };
  return v;
}

export function avpToJson(dict: Dictionary, a: Avp, applicationId: number, opts: InspectOptions = {}): JsonAvp {
  const out: JsonAvp = {
    code: a.code,
    vendorId: a.vendorId,
    flags: { vendor: (a.flags & AvpFlag.V) !== 0, mandatory: (a.flags & AvpFlag.M) !== 0, protected: (a.flags & AvpFlag.P) !== 0 },
  };
  if (a.def) {
    out.name = a.def.name;
    out.type = a.def.type;
  }
  if (a.avps) out.avps = a.avps.map((c) => avpToJson(dict, c, applicationId, opts));
  else if (a.def && opts.mask?.has(a.def.name)) out.value = '***';
  else if (a.value !== undefined) {
    out.value = jsonValue(a.value);
    if (typeof a.value === 'number' && a.def && a.def.enumNames.size > 0) {
      const name = dict.enumName(a.def, a.value, applicationId);
      if (name) out.enum = name;
    }
  } else out.hex = a.data?.toString('hex') ?? '';
  return out;
}

export function messageToJson(dict: Dictionary, m: Message, opts: InspectOptions = {}): Record<string, unknown> {
  const cmd = dict.command(m.applicationId, m.commandCode) ?? dict.anyCommand(m.commandCode);
  const req = (m.flags & CmdFlag.R) !== 0;
  return {
    commandCode: m.commandCode,
    commandName: cmd ? (req ? cmd.requestName : cmd.answerName) : undefined,
    applicationId: m.applicationId,
    flags: {
      request: req,
      proxiable: (m.flags & CmdFlag.P) !== 0,
      error: (m.flags & CmdFlag.E) !== 0,
      retransmit: (m.flags & CmdFlag.T) !== 0,
    },
    hopByHopId: m.hopByHopId,
    endToEndId: m.endToEndId,
    avps: m.avps.map((a) => avpToJson(dict, a, m.applicationId, opts)),
  };
}
