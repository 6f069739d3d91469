// Builds a sample message for a command from its dictionary grammar: every required AVP, and
// every optional AVP down to a depth, with a plausible value of the AVP's type. Used to check
// what we encode against an independent dissector (tshark).
import { avpOf } from '../../src/diameter/codec/builder.js';
import type { Avp, AvpValue, Message } from '../../src/diameter/codec/message.js';
import type { AvpDef, Grammar, MessageDef } from '../../src/diameter/dictionary/model.js';

export function sampleValue(def: AvpDef): AvpValue {
  switch (def.type) {
    case 'UTF8String':
      if (def.name === 'Session-Id') return 'node.test;1;1';
      // Wireshark reads User-Name as an IMSI in S6a: give it one.
      if (def.name === 'User-Name') return '001010123456789';
      return `x-${def.code}`;
    case 'DiameterIdentity':
      return 'node.test';
    case 'DiameterURI':
      return 'aaa://node.test:3868;transport=tcp';
    case 'OctetString':
      return Buffer.from('01020304', 'hex');
    case 'Unsigned32':
    case 'Integer32':
    case 'Enumerated': {
      const first = [...def.enumNames.keys()].sort((a, b) => a - b)[0];
      return first ?? 1;
    }
    case 'Unsigned64':
    case 'Integer64':
      return 1n;
    case 'Float32':
    case 'Float64':
      return 1.5;
    case 'Time':
      return new Date('2026-01-01T00:00:00Z');
    case 'Address':
      return '192.0.2.1';
    case 'TBCD':
      return '33612345678';
    case 'PLMNId':
      return { mcc: '001', mnc: '01' };
    case 'IPFilterRule':
    case 'QoSFilterRule':
      return 'permit out ip from any to any';
    case 'Grouped':
      throw new Error('grouped');
  }
}

export function sampleAvps(grammar: Grammar, depth: number, optionalDepth: number): Avp[] {
  const out: Avp[] = [];
  for (const rule of grammar.rules) {
    const def = rule.def;
    if (!def) continue;
    const count = rule.min > 0 ? rule.min : depth < optionalDepth ? 1 : 0;
    for (let i = 0; i < count; i++) {
      if (def.type === 'Grouped') {
        if (!def.grammar || depth >= 4) continue;
        let children = sampleAvps(def.grammar, depth + 1, optionalDepth);
        // An empty Grouped AVP is legal but useless to compare: take its first simple member.
        if (children.length === 0) {
          const first = def.grammar.rules.find((r) => r.def && r.def.type !== 'Grouped')?.def;
          if (first) children = [avpOf(first, sampleValue(first))];
        }
        if (children.length === 0) continue; // only "* [ AVP ]" members, such as Failed-AVP
        out.push(avpOf(def, children));
      } else out.push(avpOf(def, sampleValue(def)));
    }
  }
  return out;
}

export function sampleMessage(def: MessageDef, optionalDepth = 2): Message {
  return {
    version: 1,
    flags: (def.request ? 0x80 : 0) | (def.proxiable ? 0x40 : 0),
    commandCode: def.commandCode,
    applicationId: def.applicationId,
    hopByHopId: 1,
    endToEndId: 2,
    avps: sampleAvps(def.grammar, 0, optionalDepth),
  };
}
