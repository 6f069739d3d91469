// A small SIP UE for the Kamailio interop test: REGISTER over UDP on 127.0.0.1 (RFC 3261 §10),
// the Digest answer of RFC 2617 §3.2.2 with qop=auth, and the Digest-AKAv1-MD5 mapping of
// RFC 3310 (nonce = base64(RAND ‖ AUTN), password = the raw RES octets, auts= on a sequence
// failure). No retransmissions: on loopback nothing is lost, and a retransmitted REGISTER
// would make the S-CSCF run a second MAR.
//
// An answer to a challenge waits `answerDelayMs` (default 50 ms, a phone's think time): ims_auth
// 5.6.3 sends the 401 from its MAA callback *before* it stores the vector it used
// (cxdx_mar.c async_cdp_callback: stateful_request_reply_async(), then add_auth_vector() under
// `done:`), so an answer sent within a millisecond finds no vector and is challenged again.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export interface SipResponse {
  status: number;
  reason: string;
  /** Header values by lower-case name (compact forms expanded), in order. */
  headers: Map<string, string[]>;
  raw: string;
}

export function header(r: SipResponse, name: string): string | undefined {
  return r.headers.get(name.toLowerCase())?.[0];
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };

export function parseResponse(text: string): SipResponse {
  const head = text.split('\r\n\r\n')[0] ?? '';
  const lines = head.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (!m) throw new Error(`not a SIP response: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    let name = line.slice(0, i).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const list = headers.get(name) ?? [];
    list.push(line.slice(i + 1).trim());
    headers.set(name, list);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers, raw: text };
}

/** The parameters of a `Digest a=b, c="d"` challenge (RFC 2617 §3.2.1), names lower-cased. */
export function parseChallenge(value: string): Record<string, string> {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) throw new Error(`not a Digest challenge: ${value}`);
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!)) out[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return out;
}

const md5 = (...parts: (string | Buffer)[]): string => {
  const h = createHash('md5');
  parts.forEach((p, i) => {
    if (i > 0) h.update(':');
    h.update(p);
  });
  return h.digest('hex');
};

export interface DigestInput {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  method: string;
  /** Clear-text password, or the raw RES octets for AKA (RFC 3310 §3.2). */
  password: string | Buffer;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** RFC 2617 §3.2.2.1: request-digest with qop=auth, or the RFC 2069 form without qop. */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(d.username, d.realm, d.password);
  const ha2 = md5(d.method, d.uri);
  return d.qop ? md5(ha1, d.nonce, d.nc ?? '00000001', d.cnonce ?? '', d.qop, ha2) : md5(ha1, d.nonce, ha2);
}

export interface AuthorizationFields {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  auts?: string;
}

export function authorizationHeader(a: AuthorizationFields): string {
  const parts = [
    `username="${a.username}"`,
    `realm="${a.realm}"`,
    `nonce="${a.nonce}"`,
    `uri="${a.uri}"`,
    `response="${a.response}"`,
    `algorithm=${a.algorithm}`,
  ];
  if (a.qop) parts.push(`qop=${a.qop}`, `nc=${a.nc ?? '00000001'}`, `cnonce="${a.cnonce ?? ''}"`);
  if (a.auts !== undefined) parts.push(`auts="${a.auts}"`);
  return `Digest ${parts.join(', ')}`;
}

export interface UeOptions {
  impi: string;
  impu: string;
  domain: string;
  server: { address: string; port: number };
  /** Bound on the wait for a final response, ms (Kamailio's own MAR timeout is about 6.7 s). */
  timeoutMs?: number;
  /** Wait before sending an answer to a challenge (see the note at the top), ms. */
  answerDelayMs?: number;
}

export class SipUe {
  private readonly socket: Socket;
  private port = 0;
  private cseq = 0;
  private readonly callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  private readonly tag = randomBytes(4).toString('hex');
  private readonly waiting = new Map<string, (r: SipResponse) => void>();
  /** Every request sent and response received, for failure reports. */
  readonly trace: string[] = [];

  private constructor(readonly opts: UeOptions) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (buf) => this.onMessage(buf.toString('utf8')));
  }

  static async open(opts: UeOptions): Promise<SipUe> {
    const ue = new SipUe(opts);
    await new Promise<void>((res, rej) => {
      ue.socket.once('error', rej);
      ue.socket.bind(0, '127.0.0.1', () => res());
    });
    ue.port = ue.socket.address().port;
    return ue;
  }

  get registrar(): string {
    return `sip:${this.opts.domain}`;
  }

  private onMessage(text: string): void {
    this.trace.push(`<<< ${text}`);
    let r: SipResponse;
    try {
      r = parseResponse(text);
    } catch {
      return; // a request to the UE: not part of these tests
    }
    if (r.status < 200) return;
    const branch = /branch=([^;,\s]+)/.exec(header(r, 'via') ?? '')?.[1];
    const done = branch !== undefined ? this.waiting.get(branch) : undefined;
    if (done) {
      this.waiting.delete(branch!);
      done(r);
    }
  }

  /** One REGISTER transaction; resolves with its final response. */
  async register(expires: number, authorization: AuthorizationFields | undefined): Promise<SipResponse> {
    const o = this.opts;
    if (authorization && authorization.nonce !== '') await new Promise((r) => setTimeout(r, o.answerDelayMs ?? 50));
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    this.cseq += 1;
    const lines = [
      `REGISTER ${this.registrar} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <${o.impu}>;tag=${this.tag}`,
      `To: <${o.impu}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      `Contact: <sip:${o.impi.split('@')[0]}@127.0.0.1:${this.port}>;expires=${expires}`,
      `Expires: ${expires}`,
      'User-Agent: diamond-interop-ue',
    ];
    if (authorization) lines.push(`Authorization: ${authorizationHeader(authorization)}`);
    lines.push('Content-Length: 0', '', '');
    const text = lines.join('\r\n');
    this.trace.push(`>>> ${text}`);
    const bound = o.timeoutMs ?? 10_000;
    return new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(branch);
        reject(new Error(`no final response to REGISTER (CSeq ${this.cseq}) within ${bound} ms`));
      }, bound);
      this.waiting.set(branch, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(text, o.server.port, o.server.address, (err) => {
        if (err) {
          clearTimeout(timer);
          this.waiting.delete(branch);
          reject(err);
        }
      });
    });
  }

  /** The Authorization of an initial REGISTER (TS 24.229 §5.1.1.2): the IMPI, no credentials yet. */
  initialAuthorization(algorithm: string): AuthorizationFields {
    return { username: this.opts.impi, realm: this.opts.domain, nonce: '', uri: this.registrar, response: '', algorithm };
  }

  /** The answer to a Digest challenge with `password` (clear text, or RES octets for AKA). */
  answer(challenge: Record<string, string>, password: string | Buffer, extra: { auts?: string } = {}): AuthorizationFields {
    const qop = challenge.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
    const cnonce = randomBytes(8).toString('hex');
    const realm = challenge.realm ?? this.opts.domain;
    const nonce = challenge.nonce ?? '';
    const response = digestResponse({ username: this.opts.impi, realm, nonce, uri: this.registrar, method: 'REGISTER', password, ...(qop ? { qop, nc: '00000001', cnonce } : {}) });
    return {
      username: this.opts.impi,
      realm,
      nonce,
      uri: this.registrar,
      response,
      algorithm: challenge.algorithm ?? 'MD5',
      ...(qop ? { qop, nc: '00000001', cnonce } : {}),
      ...extra,
    };
  }

  close(): void {
    this.waiting.clear();
    this.socket.close();
  }
}
