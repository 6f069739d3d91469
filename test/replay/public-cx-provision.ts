// What the public Cx captures' HSSs had provisioned, as `diamond replay --provision` files, and the
// operator options of those deployments. Identities come from the captures themselves: the IMPI
// (User-Name) and IMPUs of the UAR/MAR/SAR, the implicit registration set the captured SAA lists
// in its User-Data (sip:IMSI, tel:MSISDN, sip:MSISDN), and the LIRs' tel: URIs. The captures'
// keys are unknown (their MAA vectors verify with none of ../shared/vectors.md), so the AuC gets
// TS 35.208 test-set keys: the replay never needs the captured vectors, only well-formed new ones.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CxOptions } from '../../src/hss/cx/index.js';

/** open5gs/docker_open5gs IMS (Kamailio CSCFs, FHoSS as HSS): ../shared/pcaps-public/open5gs-*.pcapng. */
export const OPEN5GS = {
  hss: 'hss.ims.mnc001.mcc001.3gppnetwork.org',
  realm: 'ims.mnc001.mcc001.3gppnetwork.org',
  scscf: 'sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060',
} as const;

/** Open IMS Core test users (FHoSS): ../shared/pcaps-public/diafuzzer-cx.pcap. */
export const OPEN_IMS = {
  hss: 'hss.open-ims.test',
  realm: 'open-ims.test',
  scscf: 'sip:scscf.open-ims.test:6060',
} as const;

/**
 * The HSS options the captured answers show: UAA Server-Capabilities {Optional-Capability 1,
 * Server-Name} for a first registration and SAA Charging-Information {Primary-CCF "pri_ccf_address"}.
 */
export const OPEN5GS_CX: CxOptions = {
  serverCapabilities: { mandatory: [], optional: [1], serverNames: [OPEN5GS.scscf] },
  chargingInformation: { primaryChargingCollectionFunctionName: 'pri_ccf_address' },
};

/** diafuzzer-cx's UAA: Server-Capabilities {Optional-Capability 0, 1, Server-Name}. */
export const OPEN_IMS_CX: CxOptions = {
  serverCapabilities: { mandatory: [], optional: [0, 1], serverNames: [OPEN_IMS.scscf] },
};

/** TS 35.208 test sets 1-5 (K, OPc), as in ../shared/vectors.md. */
const KEYS = [
  ['465b5ce8b199b49faa5f0a2ee238a6bc', 'cd63cb71954a9f4e48a5994e37a02baf'],
  ['0396eb317b6d1c36f19c1c84cd6ffd16', '53c15671c60a4b731c55b4a441c0bde2'],
  ['fec86ba6eb707ed08905757b1bb44b8f', '1006020f0a478bf6b699f15c062e42b3'],
  ['9e5944aea94b81165c82fbf9f32db751', 'a64a507ae1a2a98bb88eb4210135dc87'],
  ['4ab1deb05ca6ceb051fc98e77d026a84', 'dcf07cbd51855290b92a07a9891e523e'],
] as const;

export interface ImsUser {
  readonly imsi: string;
  readonly impi: string;
  /** The IMPUs, the one the CSCF registers first. */
  readonly impus: readonly string[];
  /** The IMPUs the capture's HSS barred (BarringIndication 1 in its SAA). */
  readonly barred?: readonly string[];
  readonly msisdn?: string;
}

/**
 * open5gs users: IMSI 00101123456789N with MSISDN 0N98765432100 (N = 5 nonipsec_reg, 3 ipsec_reg,
 * both read from the captured SAA User-Data). N = 1 is volte's LIR target tel:0198765432100: no
 * capture registers it, its IMSI follows the same numbering. As FHoSS had them: the IMSI-based
 * IMPU (the temporary one a UE without ISIM registers with) barred, in one implicit registration
 * set with the unbarred MSISDN IMPUs.
 */
export function open5gsUser(n: 1 | 3 | 5): ImsUser {
  const imsi = `00101123456789${n}`;
  const msisdn = `0${n}98765432100`;
  const temporary = `sip:${imsi}@${OPEN5GS.realm}`;
  return { imsi, impi: `${imsi}@${OPEN5GS.realm}`, impus: [temporary, `tel:${msisdn}`, `sip:${msisdn}`], barred: [temporary], msisdn };
}

/** Open IMS Core's alice and bob; the IMSIs are ours (Diamond's IMS AKA needs one). */
export function openImsUser(name: 'alice' | 'bob'): ImsUser {
  const imsi = name === 'alice' ? '001010000000011' : '001010000000012';
  return { imsi, impi: `${name}@${OPEN_IMS.realm}`, impus: [`sip:${name}@${OPEN_IMS.realm}`] };
}

/** The --provision document (docs/pcaps.md): AuC records, then IMS subscribers on them. */
export function provisionDoc(users: readonly ImsUser[]): Record<string, unknown> {
  return {
    subscribers: users.map((u, i) => {
      const [k, opc] = KEYS[i % KEYS.length]!;
      return { imsi: u.imsi, ...(u.msisdn ? { msisdn: u.msisdn } : {}), k, opc, amf: '8000' };
    }),
    imsSubscribers: users.map((u) => ({
      impi: u.impi,
      imsi: u.imsi,
      authScheme: 'aka',
      impus: u.impus.map((impu) => (u.barred?.includes(impu) ? { impu, barred: true } : { impu })),
    })),
  };
}

export function writeProvision(dir: string, name: string, doc: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.provision.json`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
