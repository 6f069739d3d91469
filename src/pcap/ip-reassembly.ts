// IP fragment reassembly: IPv4 (RFC 791 §3.2, key src/dst/protocol/id) and IPv6 Fragment
// headers (RFC 8200 §4.5, key src/dst/id). Complete packets are copied once into one buffer.
import { walkIpv6Extensions } from './ip.js';
import type { IpPacket } from './ip.js';

const MAX_DATAGRAM = 65535;

interface Part {
  readonly offset: number;
  readonly data: Buffer;
}

class FragmentSet {
  readonly parts: Part[] = [];
  /** Payload length, known once the last fragment (more-fragments clear) arrives. */
  total = -1;
  /** Upper protocol (or first IPv6 header after the Fragment header), from offset 0. */
  protocol = -1;
}

export class IpReassembler {
  private readonly sets = new Map<string, FragmentSet>();
  private readonly maxPending: number;

  /** maxPending bounds memory when fragments never complete (lost or hostile traffic). */
  constructor(maxPending = 1024) {
    this.maxPending = maxPending;
  }

  /**
   * Adds the fragment decoded in ip. When it completes its datagram, rewrites ip to describe the
   * whole datagram (payload, protocol, not fragmented) and returns true.
   */
  add(ip: IpPacket): boolean {
    if (ip.truncated) return false; // a fragment cut by the snaplen can never fill its hole
    const end = ip.fragmentOffset + ip.payload.length;
    if (end > MAX_DATAGRAM) return false;
    const key = ip.version === 4
      ? `4/${ip.src}/${ip.dst}/${ip.protocol}/${ip.fragmentId}`
      : `6/${ip.src}/${ip.dst}/${ip.fragmentId}`;
    let set = this.sets.get(key);
    if (set === undefined) {
      if (this.sets.size >= this.maxPending) {
        const oldest = this.sets.keys().next().value;
        if (oldest !== undefined) this.sets.delete(oldest);
      }
      set = new FragmentSet();
      this.sets.set(key, set);
    }
    set.parts.push({ offset: ip.fragmentOffset, data: ip.payload });
    if (!ip.moreFragments) set.total = end;
    if (ip.fragmentOffset === 0) set.protocol = ip.protocol;
    if (set.total < 0 || set.protocol < 0) return false;

    // Complete when the parts, sorted by offset, cover 0..total without a hole.
    const sorted = [...set.parts].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const p of sorted) {
      if (p.offset > covered) return false;
      covered = Math.max(covered, p.offset + p.data.length);
    }
    if (covered < set.total) return false;
    this.sets.delete(key);
    const whole = Buffer.alloc(set.total);
    // Copy in reverse arrival order so that, where fragments overlap, the first one seen wins.
    for (let i = set.parts.length - 1; i >= 0; i--) {
      const p = set.parts[i]!;
      p.data.copy(whole, p.offset, 0, Math.min(p.data.length, set.total - p.offset));
    }
    ip.fragmented = false;
    ip.truncated = false;
    ip.missing = 0;
    ip.fragmentOffset = 0;
    ip.moreFragments = false;
    if (ip.version === 6) return walkIpv6Extensions(whole, 0, whole.length, set.protocol, ip);
    ip.protocol = set.protocol;
    ip.payload = whole;
    return true;
  }
}
