// `diamond decode FILE.pcap|pcapng`: the Diameter messages found in a capture, each with its
// frame number, time and addresses. A damaged file prints what was read, then names the record.
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { formatMessage, messageToJson } from '../diameter/codec/inspect.js';
import { findAvp, type Message } from '../diameter/codec/message.js';
import { isPcapMagic } from '../pcap/pcap-file.js';
import { isPcapngMagic } from '../pcap/pcapng-file.js';
import { readCapture } from '../pcap/reader.js';
import type { CaptureError, DiameterPdu, PcapTime } from '../pcap/reader.js';
import type { MessageSelector } from '../replay/select.js';

const SESSION_ID = 263;

export function isCapture(buf: Buffer): boolean {
  return isPcapngMagic(buf) || isPcapMagic(buf);
}

/** ISO 8601 with microseconds (nanoseconds when the capture has them), UTC. */
export function formatPcapTime(t: PcapTime): string {
  const iso = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  const frac = t.nanos % 1000 === 0 ? String(t.nanos / 1000).padStart(6, '0') : String(t.nanos).padStart(9, '0');
  return `${iso}.${frac}Z`;
}

export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface CaptureFilter {
  readonly selector: MessageSelector;
  /** Session-Id substring; undefined: any. */
  readonly session: string | undefined;
}

export interface DecodedCaptureMessage {
  readonly pdu: DiameterPdu;
  readonly message: Message;
}

export interface DecodedCapture {
  readonly items: DecodedCaptureMessage[];
  /** Non-fatal problems, each naming the frame. */
  readonly warnings: string[];
  /** Why reading stopped early (names the record), if it did. */
  readonly error: CaptureError | undefined;
  readonly frames: number;
}

/** Reads a capture held in memory and decodes every Diameter PDU that passes the filter. */
export function decodeCapture(buf: Buffer, dict: Dictionary, filter: CaptureFilter, ports?: readonly number[]): DecodedCapture {
  const read = readCapture(buf, ports ? { ports } : {});
  const items: DecodedCaptureMessage[] = [];
  const warnings: string[] = [];
  for (const pdu of read.pdus) {
    const d = pdu.data;
    // Header filters first: most PDUs of a large capture are skipped without a decode.
    if (!filter.selector.matches(d.readUInt32BE(8), d.readUIntBE(5, 3))) continue;
    const { message, issues } = decodeMessage(d, dict);
    for (const i of issues) warnings.push(`frame ${pdu.frame}: offset ${i.offset}: ${i.message}`);
    if (!message) continue;
    if (filter.session !== undefined) {
      const sid = findAvp(message.avps, SESSION_ID)?.value;
      if (typeof sid !== 'string' || !sid.includes(filter.session)) continue;
    }
    items.push({ pdu, message });
  }
  return { items, warnings, error: read.error, frames: read.frames };
}

export function captureItemText(dict: Dictionary, item: DecodedCaptureMessage): string {
  const p = item.pdu;
  const stream = p.stream === undefined ? '' : ` stream ${p.stream}`;
  const head = `frame ${p.frame} ${formatPcapTime(p.time)} ${endpoint(p.src, p.srcPort)} -> ${endpoint(p.dst, p.dstPort)} ${p.transport}${stream}`;
  return `${head}\n${formatMessage(dict, item.message)}`;
}

export function captureItemJson(dict: Dictionary, item: DecodedCaptureMessage): Record<string, unknown> {
  const p = item.pdu;
  return {
    frame: p.frame,
    time: formatPcapTime(p.time),
    src: p.src,
    srcPort: p.srcPort,
    dst: p.dst,
    dstPort: p.dstPort,
    transport: p.transport,
    ...(p.stream !== undefined && { stream: p.stream }),
    ...messageToJson(dict, item.message),
  };
}
