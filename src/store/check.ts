// Checks provisioned records before they are written, with the same rule texts as the API's JSON
// schemas (fields.ts). The API rejects malformed bodies before they get here; these checks keep the
// CLI import and any other caller to the same rules. Errors name the field, never the value.
import { FIELD, matches, parseSqn, type FieldRule } from './fields.js';
import { RAT_NAMES, type AucInput, type AucPatch, type SubscriberInput, type SubscriberPatch } from './model.js';
import { invalid } from './store-error.js';

const NAM = ['packet-and-circuit', 'only-packet'];
const ALGORITHMS = ['milenage', 'test-xor'];
const UINT32_MAX = 0xffffffff;

function rule(field: string, r: FieldRule, v: unknown, nullable = false): void {
  if (v === undefined || (nullable && v === null)) return;
  if (!matches(r, v)) throw invalid(field, `${field}: ${r.description}`);
}

function uint(field: string, v: unknown, max: number, nullable = false): void {
  if (v === undefined || (nullable && v === null)) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw invalid(field, `${field}: must be an integer 0..${max}`);
}

function boolean(field: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw invalid(field, `${field}: must be true or false`);
}

function oneOf(field: string, v: unknown, values: readonly string[]): void {
  if (v !== undefined && (typeof v !== 'string' || !values.includes(v))) throw invalid(field, `${field}: must be one of ${values.join(', ')}`);
}

/** The APN list as given (names or {name, staticIp}) in normal form. */
export function normaliseApns(apns: SubscriberInput['apns']): { name: string; staticIp: string | null }[] {
  return (apns ?? []).map((a) => (typeof a === 'string' ? { name: a, staticIp: null } : { name: a.name, staticIp: a.staticIp ?? null }));
}

export function checkSubscriber(s: SubscriberInput | SubscriberPatch, creating: boolean): void {
  if (creating) rule('imsi', FIELD.imsi, (s as SubscriberInput).imsi ?? '');
  rule('msisdn', FIELD.msisdn, s.msisdn, true);
  boolean('enabled', s.enabled);
  if (s.ambr !== undefined) {
    if (s.ambr === null || typeof s.ambr !== 'object') throw invalid('ambr', 'ambr: must be {"uplink", "downlink"} in bits/s');
    uint('ambr.uplink', s.ambr.uplink, UINT32_MAX);
    uint('ambr.downlink', s.ambr.downlink, UINT32_MAX);
  }
  oneOf('networkAccessMode', s.networkAccessMode, NAM);
  uint('accessRestriction', s.accessRestriction, UINT32_MAX);
  if (s.ratRestrictions !== undefined) {
    if (!Array.isArray(s.ratRestrictions)) throw invalid('ratRestrictions', `ratRestrictions: must be a list of ${RAT_NAMES.join(', ')}`);
    s.ratRestrictions.forEach((r, i) => oneOf(`ratRestrictions[${i}]`, r, RAT_NAMES));
  }
  uint('periodicTau', s.periodicTau, UINT32_MAX, true);
  if (s.apns !== undefined) {
    if (!Array.isArray(s.apns)) throw invalid('apns', 'apns: must be a list of APN names');
    const seen = new Set<string>();
    s.apns.forEach((a, i) => {
      const name = typeof a === 'string' ? a : a?.name;
      rule(`apns[${i}]`, FIELD.apn, name);
      if (seen.has(name.toLowerCase())) throw invalid(`apns[${i}]`, `apns[${i}]: ${name} is listed twice`);
      seen.add(name.toLowerCase());
    });
  }
  rule('defaultApn', FIELD.apn, s.defaultApn, true);
  boolean('roamingAllowed', s.roamingAllowed);
  if (s.roamingRules !== undefined) {
    if (!Array.isArray(s.roamingRules)) throw invalid('roamingRules', 'roamingRules: must be a list of roaming rule ids');
    s.roamingRules.forEach((r, i) => uint(`roamingRules[${i}]`, r, Number.MAX_SAFE_INTEGER));
  }
  rule('chargingCharacteristics', FIELD.chargingCharacteristics, s.chargingCharacteristics, true);
}

/** AuC keys: Milenage needs K and exactly one of OPc / OP; test-xor needs K only. */
export function checkAuc(a: AucInput | AucPatch, creating: boolean): void {
  if (creating) rule('imsi', FIELD.imsi, (a as AucInput).imsi ?? '');
  oneOf('algorithm', a.algorithm, ALGORITHMS);
  if (creating && a.k === undefined) throw invalid('k', `k: is required and ${FIELD.key128.description}`);
  rule('k', FIELD.key128, a.k);
  rule('opc', FIELD.key128, a.opc);
  rule('op', FIELD.key128, a.op);
  if (a.opc !== undefined && a.op !== undefined) throw invalid('op', 'op: give opc or op, not both');
  if (creating && (a.algorithm ?? 'milenage') === 'milenage' && a.opc === undefined && a.op === undefined) {
    throw invalid('opc', `opc: one of opc or op is required for milenage and ${FIELD.key128.description}`);
  }
  rule('amf', FIELD.amf, a.amf);
  if (a.sqn !== undefined && parseSqn(a.sqn) === undefined) throw invalid('sqn', `sqn: ${FIELD.sqnHex.description}`);
}
