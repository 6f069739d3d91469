// The RouteRequest of a relayed message, read from its bytes on demand (RFC 6733 §6.1 routing
// AVPs). A relayed request needs few of its strings: Destination-Realm always, the others only
// when a rule looks at them. Decoding all six up front cost six UTF-8 decodes and six fresh strings
// (hashed again at every Map lookup) per request; here each is decoded on first use and kept.
import type { RelayView } from '../diameter/codec/relay-view.js';
import type { RouteRequest } from './scoring.js';

/** Not decoded yet (undefined means "absent"). */
const UNREAD = null;

/**
 * The strings of recent host and realm names, by their bytes. Relayed requests carry few distinct
 * Origin/Destination hosts and realms: a hit returns the same string as last time (its hash
 * already computed for the rule and candidate maps) after a byte comparison, instead of a UTF-8
 * decode and a fresh string per request. User-Name and Session-Id differ per request: not cached.
 */
export class NameCache {
  private readonly bytes: Buffer[] = [];
  private readonly names: string[] = [];
  private next = 0;

  constructor(private readonly capacity = 32) {}

  get(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    const bytes = this.bytes;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b.length !== len) continue;
      let k = 0;
      while (k < len && b[k] === buf[start + k]) k++;
      if (k === len) return this.names[i]!;
    }
    const name = buf.toString('utf8', start, end);
    const copy = Buffer.from(buf.subarray(start, end));
    if (bytes.length < this.capacity) {
      bytes.push(copy);
      this.names.push(name);
    } else {
      bytes[this.next] = copy;
      this.names[this.next] = name;
      this.next = (this.next + 1) % this.capacity;
    }
    return name;
  }
}

export class ViewRouteRequest implements RouteRequest {
  readonly applicationId: number;
  readonly commandCode: number;
  /** The message; its AVP bytes must not change while this request lives (header bytes may). */
  private readonly buf: Buffer;
  private readonly names: NameCache;
  private readonly ohStart: number;
  private readonly ohEnd: number;
  private readonly orStart: number;
  private readonly orEnd: number;
  private readonly dhStart: number;
  private readonly dhEnd: number;
  private readonly drStart: number;
  private readonly drEnd: number;
  private readonly unStart: number;
  private readonly unEnd: number;
  private readonly sidStart: number;
  private readonly sidEnd: number;
  private oh: string | undefined | null = UNREAD;
  private or: string | undefined | null = UNREAD;
  private dh: string | undefined | null = UNREAD;
  private dr: string | undefined | null = UNREAD;
  private un: string | undefined | null = UNREAD;
  private sid: string | undefined | null = UNREAD;

  /** Takes the offsets the view found in `buf` (the message the view has scanned). */
  constructor(v: RelayView, buf: Buffer, names: NameCache) {
    this.buf = buf;
    this.names = names;
    this.applicationId = v.applicationId;
    this.commandCode = v.commandCode;
    this.ohStart = v.originHostStart;
    this.ohEnd = v.originHostEnd;
    this.orStart = v.originRealmStart;
    this.orEnd = v.originRealmEnd;
    this.dhStart = v.destinationHostStart;
    this.dhEnd = v.destinationHostEnd;
    this.drStart = v.destinationRealmStart;
    this.drEnd = v.destinationRealmEnd;
    this.unStart = v.userNameStart;
    this.unEnd = v.userNameEnd;
    this.sidStart = v.sessionIdStart;
    this.sidEnd = v.sessionIdEnd;
  }

  private text(start: number, end: number): string | undefined {
    return start < 0 ? undefined : this.buf.toString('utf8', start, end);
  }
  private name(start: number, end: number): string | undefined {
    return start < 0 ? undefined : this.names.get(this.buf, start, end);
  }

  get originHost(): string | undefined {
    if (this.oh === UNREAD) this.oh = this.name(this.ohStart, this.ohEnd);
    return this.oh;
  }
  get originRealm(): string | undefined {
    if (this.or === UNREAD) this.or = this.name(this.orStart, this.orEnd);
    return this.or;
  }
  get destinationHost(): string | undefined {
    if (this.dh === UNREAD) this.dh = this.name(this.dhStart, this.dhEnd);
    return this.dh;
  }
  get destinationRealm(): string | undefined {
    if (this.dr === UNREAD) this.dr = this.name(this.drStart, this.drEnd);
    return this.dr;
  }
  /** Routing rewrote the realm (set_realm): the request goes on with the new one. */
  set destinationRealm(realm: string | undefined) {
    this.dr = realm;
  }
  get userName(): string | undefined {
    if (this.un === UNREAD) this.un = this.text(this.unStart, this.unEnd);
    return this.un;
  }
  get sessionId(): string | undefined {
    if (this.sid === UNREAD) this.sid = this.text(this.sidStart, this.sidEnd);
    return this.sid;
  }
  /** Whether the message has a Destination-Host (without decoding it). */
  get hasDestinationHost(): boolean {
    return this.dhStart >= 0;
  }
}
