// Tools for the public Cx capture replays: play a capture with the replay engine (src/replay, the
// code `diamond replay` runs), read back what the HSS node answered from its own pcapng capture
// (each request it received paired with its answer), have tshark dissect that capture (PDML: the
// -V tree with its expert infos), and parse SAA User-Data with an independent XML parser (Python's
// ElementTree, in a child process).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeMessage, type CodecIssue } from '../../src/diameter/codec/decode.js';
import type { Message } from '../../src/diameter/codec/message.js';
import { readCapture } from '../../src/pcap/reader.js';
import { DEFAULT_IGNORED_AVPS, DEFAULT_IGNORED_TYPES } from '../../src/replay/compare.js';
import { buildPlan } from '../../src/replay/plan.js';
import { parseProvisionFile, provision } from '../../src/replay/provision.js';
import { runReplay, type ReplayReport } from '../../src/replay/run.js';
import { MessageSelector } from '../../src/replay/select.js';
import { dict } from './traffic.js';

export const TSHARK = '/usr/bin/tshark';

export interface ReplayTarget {
  readonly port: number;
  readonly api: string;
}

/**
 * Replays the client requests of `file` (only `select`, e.g. ["Cx"]) against the node, after
 * creating `provisionFile`'s records through its admin API. `window: 1` keeps the capture's causal
 * order across sessions (an S-CSCF sends the SAR only after the MAA).
 */
export async function replayCapture(file: string, target: ReplayTarget, opts: { select?: string[]; provisionFile?: string; window?: number } = {}): Promise<ReplayReport> {
  const capture = readCapture(readFileSync(file));
  if (capture.error) throw new Error(`${file}: ${capture.error.message}`);
  const plan = buildPlan(capture.pdus, dict, { selector: MessageSelector.parse(dict, opts.select ?? []), peers: [] });
  if (opts.provisionFile) await provision(parseProvisionFile(readFileSync(opts.provisionFile, 'utf8'), opts.provisionFile), opts.provisionFile, { url: target.api });
  return runReplay(plan, dict, {
    host: '127.0.0.1',
    port: target.port,
    pacing: { mode: 'fast' },
    window: opts.window ?? 64,
    timeoutMs: 3000,
    ignore: new Set(DEFAULT_IGNORED_AVPS),
    ignoreTypes: new Set(DEFAULT_IGNORED_TYPES),
  });
}

export interface Exchange {
  readonly request: Message;
  readonly answer: Message | undefined;
  readonly answerBytes: Buffer | undefined;
  /** What did not decode cleanly in the answer (RFC 6733 §7 codec issues); [] when well-formed. */
  readonly answerIssues: readonly CodecIssue[];
}

/** Requests the node received in its own capture (`port`: its listener), each with its answer. */
export function nodeExchanges(captureFile: string, port: number, applicationId: number): Exchange[] {
  const { pdus, error } = readCapture(readFileSync(captureFile), { ports: [port] });
  if (error) throw new Error(`${captureFile}: ${error.message}`);
  const open = new Map<string, { request: Message; index: number }>();
  const out: Exchange[] = [];
  for (const pdu of pdus) {
    const { message: m, issues } = decodeMessage(Buffer.from(pdu.data), dict);
    const hbh = pdu.data.readUInt32BE(12);
    const toNode = pdu.dstPort === port;
    const conn = toNode ? `${pdu.src}:${pdu.srcPort}` : `${pdu.dst}:${pdu.dstPort}`;
    const isRequest = (pdu.data[4]! & 0x80) !== 0;
    if (toNode && isRequest) {
      if (!m || m.applicationId !== applicationId) continue;
      open.set(`${conn}|${hbh}`, { request: m, index: out.length });
      out.push({ request: m, answer: undefined, answerBytes: undefined, answerIssues: [] });
    } else if (!toNode && !isRequest) {
      const o = open.get(`${conn}|${hbh}`);
      if (!o) continue;
      open.delete(`${conn}|${hbh}`);
      out[o.index] = { request: o.request, answer: m, answerBytes: Buffer.from(pdu.data), answerIssues: issues };
    }
  }
  return out;
}

export interface Dissected {
  readonly cmd: number;
  readonly request: boolean;
  readonly malformed: boolean;
  /** Expert infos above "Chat" level. */
  readonly experts: string[];
}

/** tshark's view of every Diameter message in the file (port `port` decoded as Diameter). */
export function dissect(file: string, port: number): Dissected[] {
  const pdml = execFileSync(TSHARK, ['-r', file, '-d', `tcp.port==${port},diameter`, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const out: Dissected[] = [];
  for (const p of pdml.split('<packet>').slice(1)) {
    const malformedPacket = p.includes('_ws.malformed');
    for (const m of p.split('<proto name="diameter"').slice(1)) {
      out.push({
        cmd: Number(/name="diameter.cmd.code"[^>]*show="(\d+)"/.exec(m)?.[1]),
        request: /name="diameter.flags.request"[^>]*show="(True|1)"/.test(m),
        malformed: malformedPacket || m.includes('_ws.malformed'),
        experts: [...m.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter((x) => x[1] !== 'Chat').map((x) => x[0]),
      });
    }
  }
  return out;
}

export interface XmlNode {
  tag: string;
  text: string | null;
  children: XmlNode[];
}

const PY_OUTLINE = `
import sys, json, base64, xml.etree.ElementTree as ET
def outline(e):
    kids = list(e)
    return {"tag": e.tag, "text": (e.text or "").strip() if not kids else None, "children": [outline(k) for k in kids]}
print(json.dumps([outline(ET.fromstring(base64.b64decode(x))) for x in json.load(sys.stdin)]))
`;

/** Each document's element tree, parsed by Python in one child process (throws on XML that is not well-formed). */
export function parseXml(docs: readonly Buffer[]): XmlNode[] {
  const input = JSON.stringify(docs.map((d) => d.toString('base64')));
  return JSON.parse(execFileSync('python3', ['-c', PY_OUTLINE], { input, encoding: 'utf8' })) as XmlNode[];
}

/** Texts of every element called `tag` anywhere under `n`. */
export function textsOf(n: XmlNode, tag: string): string[] {
  return [...(n.tag === tag && n.text !== null ? [n.text] : []), ...n.children.flatMap((c) => textsOf(c, tag))];
}
