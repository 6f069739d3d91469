// diafuzzer-style mutations of the requests in ../shared/pcaps-public/diafuzzer-cx.pcap (the seeds
// Orange's diafuzzer mutates; the capture itself holds only clean FHoSS traffic): each one breaks a
// rule of RFC 6733 §3/§4/§7 or of the Cx grammar (TS 29.229 §6.1), and names the answer RFC 6733
// requires. They are written as a pcap so the replay tool plays them like any other capture; the
// originals close the file, to show the node still answers after them.
import { avp } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import type { Avp, Message } from '../../src/diameter/codec/message.js';
import type { DiameterPdu } from '../../src/pcap/reader.js';
import { writePcapng } from '../../src/pcap/writer.js';
import { dict } from './traffic.js';

const T = 10415;

export interface Mutation {
  readonly name: string;
  readonly bytes: Buffer;
  /** The Result-Code RFC 6733 / TS 29.229 call for; undefined: any well-formed answer. */
  readonly expect?: { resultCode: number; failedAvp?: { code: number; vendorId: number } };
}

const without = (m: Message, code: number, vendorId = 0): Message => ({ ...m, avps: m.avps.filter((a) => !(a.code === code && a.vendorId === vendorId)) });
const withAvps = (m: Message, ...extra: Avp[]): Message => ({ ...m, avps: [...m.avps, ...extra] });
const raw = (code: number, flags: number, data: Buffer, vendorId = 0): Avp => ({ code, vendorId, flags, def: undefined, value: undefined, avps: undefined, data });

/** `m` with Session-Id `sid` (each mutation in a session of its own). */
function session(m: Message, sid: string): Message {
  return { ...m, avps: m.avps.map((a) => (a.code === 263 && a.vendorId === 0 ? avp(dict, 'Session-Id', sid) : a)) };
}

/** Sets the length field of the last top-level AVP to `len` (the message length stays right). */
function lastAvpLength(bytes: Buffer, len: number): Buffer {
  const b = Buffer.from(bytes);
  let pos = 20;
  let last = pos;
  while (pos + 8 <= b.length) {
    last = pos;
    pos += (b.readUIntBE(pos + 5, 3) + 3) & ~3;
  }
  b.writeUIntBE(len, last + 5, 3);
  return b;
}

/** The mutations of one captured UAR and one captured LIR, then both originals. */
export function mutations(uar: Message, lir: Message, sidBase: string): Mutation[] {
  let n = 0;
  const sid = (): string => `${sidBase};fuzz${++n}`;
  const enc = (m: Message): Buffer => encodeMessage(session(m, sid()));
  const missing = (code: number, vendorId = 0): Mutation['expect'] => ({ resultCode: 5005, failedAvp: { code, vendorId } });
  const userName = uar.avps.find((a) => a.code === 1 && a.vendorId === 0)!;
  return [
    { name: 'UAR without Public-Identity', bytes: enc(without(uar, 601, T)), expect: missing(601, T) },
    { name: 'UAR without User-Name', bytes: enc(without(uar, 1)), expect: missing(1) },
    { name: 'UAR without Vendor-Specific-Application-Id', bytes: enc(without(uar, 260)), expect: missing(260) },
    { name: 'UAR with an unknown AVP flagged mandatory', bytes: enc(withAvps(uar, raw(65000, 0x40, Buffer.from('fuzz')))), expect: { resultCode: 5001, failedAvp: { code: 65000, vendorId: 0 } } },
    { name: 'UAR with an unknown optional AVP (ignored)', bytes: enc(withAvps(uar, raw(65001, 0x00, Buffer.from('fuzz')))) },
    { name: 'UAR with Auth-Session-State twice', bytes: enc(withAvps(uar, avp(dict, 'Auth-Session-State', 1))), expect: { resultCode: 5009, failedAvp: { code: 277, vendorId: 0 } } },
    { name: 'UAR with User-Authorization-Type 9 (no such value)', bytes: enc(withAvps(uar, avp(dict, 'User-Authorization-Type', 9))), expect: { resultCode: 5004, failedAvp: { code: 623, vendorId: T } } },
    { name: 'UAR with a User-Name that is not UTF-8', bytes: enc({ ...uar, avps: uar.avps.map((a) => (a === userName ? raw(1, 0x40, Buffer.from([0xc3, 0x28, 0xff, 0xfe])) : a)) }), expect: { resultCode: 5004, failedAvp: { code: 1, vendorId: 0 } } },
    {
      name: 'UAR whose last AVP claims 4 octets more than it holds',
      bytes: lastAvpLength(enc(withAvps(uar, avp(dict, 'User-Authorization-Type', 0))), 20),
      expect: { resultCode: 5014, failedAvp: { code: 623, vendorId: T } },
    },
    { name: 'UAR with the E bit set', bytes: enc({ ...uar, flags: uar.flags | 0x20 }), expect: { resultCode: 3008 } },
    { name: 'Cx request with an unknown command code', bytes: enc({ ...uar, commandCode: 399 }), expect: { resultCode: 3001 } },
    { name: 'LIR without Public-Identity', bytes: enc(without(lir, 601, T)), expect: missing(601, T) },
    { name: 'LIR with an empty Public-Identity', bytes: enc({ ...lir, avps: lir.avps.map((a) => (a.code === 601 && a.vendorId === T ? raw(601, 0xc0, Buffer.alloc(0), T) : a)) }) },
    { name: 'the captured UAR, unchanged', bytes: enc(uar) },
    { name: 'the captured LIR, unchanged', bytes: enc(lir) },
  ];
}

/** A pcapng with the mutations sent by the captured client to port 3868, one per frame. */
export function mutationCapture(list: readonly Mutation[], client: Pick<DiameterPdu, 'src' | 'srcPort' | 'dst'>): Buffer {
  return writePcapng(
    list.map((m, i) => {
      const b = Buffer.from(m.bytes);
      b.writeUInt32BE(0x7000 + i, 12);
      b.writeUInt32BE(0x9000 + i, 16);
      return { time: new Date(Date.UTC(2008, 8, 25, 12, 30, i)), src: client.src, dst: client.dst, srcPort: client.srcPort, dstPort: 3868, data: b };
    }),
  );
}

/** Decodes the requests of the seed capture and returns its first UAR and LIR. */
export function seeds(pdus: readonly DiameterPdu[]): { uar: Message; lir: Message; client: DiameterPdu } {
  let uar: Message | undefined;
  let lir: Message | undefined;
  let client: DiameterPdu | undefined;
  for (const p of pdus) {
    const m = decodeMessage(Buffer.from(p.data), dict).message;
    if (!m || (m.flags & 0x80) === 0) continue;
    client ??= p;
    if (m.commandCode === 300) uar ??= m;
    if (m.commandCode === 302) lir ??= m;
  }
  if (!uar || !lir || !client) throw new Error('the seed capture has no UAR or LIR');
  return { uar, lir, client };
}
