// JSON schemas of the provisioning API. Fastify validates requests with them and @fastify/swagger
// turns the same objects into /openapi.json, so the document cannot drift from the checks. Each
// leaf's `description` is the rule in words, and the 400 answer quotes it (api-errors.ts).
import { FIELD, MAX_PAGE_LIMIT, RAT_NAMES, SQN_MAX, type FieldRule } from '../store/index.js';

type Schema = Record<string, unknown>;

const str = (r: FieldRule): Schema => ({ type: 'string', pattern: r.pattern, description: r.description });
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });
const uint32 = (what: string): Schema => ({ type: 'integer', minimum: 0, maximum: 0xffffffff, description: `${what}: must be an integer 0..4294967295` });
const bool = (what: string): Schema => ({ type: 'boolean', description: `${what}: must be true or false` });
const time: Schema = { type: 'string', description: 'ISO 8601 time' };
const id: Schema = { type: 'integer', minimum: 1, description: 'must be a positive integer id' };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', additionalProperties: false, properties, required });

export const ambr = obj({ uplink: uint32('bits/s'), downlink: uint32('bits/s') }, ['uplink', 'downlink']);

export const sqn: Schema = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: SQN_MAX, description: FIELD.sqnHex.description },
    { type: 'string', pattern: FIELD.sqnHex.pattern, description: FIELD.sqnHex.description },
  ],
  description: `SQN_HE, the last SQN issued: ${FIELD.sqnHex.description}`,
};

const apnRef: Schema = {
  anyOf: [str(FIELD.apn), obj({ name: str(FIELD.apn), staticIp: nullable({ type: 'string', format: 'ipv4', description: 'must be an IPv4 address' }) }, ['name'])],
  description: FIELD.apn.description,
};

const subscriberFields = {
  msisdn: nullable(str(FIELD.msisdn)),
  enabled: bool('enabled'),
  ambr,
  networkAccessMode: { type: 'string', enum: ['packet-and-circuit', 'only-packet'], description: 'must be packet-and-circuit or only-packet' },
  accessRestriction: uint32('Access-Restriction-Data bits (TS 29.272 §7.3.31)'),
  ratRestrictions: { type: 'array', items: { type: 'string', enum: [...RAT_NAMES], description: `must be one of ${RAT_NAMES.join(', ')}` } },
  periodicTau: nullable(uint32('seconds')),
  defaultApn: nullable(str(FIELD.apn)),
  apns: { type: 'array', maxItems: 50, items: apnRef, description: 'APN names (existing APN profiles); the first is the default unless defaultApn says otherwise' },
  roamingAllowed: bool('roamingAllowed'),
  roamingRules: { type: 'array', items: id },
  chargingCharacteristics: nullable(str(FIELD.chargingCharacteristics)),
};

const aucFields = {
  algorithm: { type: 'string', enum: ['milenage', 'test-xor'], description: 'must be milenage or test-xor' },
  k: { ...str(FIELD.key128), writeOnly: true },
  opc: { ...str(FIELD.key128), writeOnly: true },
  op: { ...str(FIELD.key128), writeOnly: true },
  amf: str(FIELD.amf),
  sqn,
};

export const subscriberCreate = obj({ imsi: str(FIELD.imsi), ...subscriberFields, ...aucFields }, ['imsi', 'k']);
export const subscriberPatch = obj(subscriberFields);

export const subscriber = obj({
  imsi: { type: 'string' },
  msisdn: { type: ['string', 'null'] },
  enabled: { type: 'boolean' },
  ambr,
  networkAccessMode: { type: 'string' },
  accessRestriction: { type: 'integer' },
  ratRestrictions: { type: 'array', items: { type: 'string' } },
  periodicTau: { type: ['integer', 'null'] },
  defaultApn: { type: ['string', 'null'] },
  apns: { type: 'array', items: obj({ name: { type: 'string' }, staticIp: { type: ['string', 'null'] } }) },
  roamingAllowed: { type: 'boolean' },
  roamingRules: { type: 'array', items: { type: 'integer' } },
  chargingCharacteristics: { type: ['string', 'null'] },
  createdAt: time,
  updatedAt: time,
});

export const aucCreate = obj({ imsi: str(FIELD.imsi), ...aucFields }, ['imsi', 'k']);
export const aucPatch = obj(aucFields);
export const auc = obj({
  imsi: { type: 'string' },
  algorithm: { type: 'string' },
  operatorKey: { type: ['string', 'null'], description: 'which operator key is stored (opc or op); keys are never returned' },
  amf: { type: 'string' },
  sqn: { type: 'integer' },
  updatedAt: time,
});

const arp = obj(
  {
    priority: { type: 'integer', minimum: 1, maximum: 15, description: 'must be an integer 1..15' },
    preemptionCapability: bool('preemptionCapability'),
    preemptionVulnerability: bool('preemptionVulnerability'),
  },
  ['priority', 'preemptionCapability', 'preemptionVulnerability'],
);
const apnFields = {
  name: str(FIELD.apn),
  pdnType: { type: 'string', enum: ['ipv4', 'ipv6', 'ipv4v6', 'ipv4-or-ipv6'], description: 'must be one of ipv4, ipv6, ipv4v6, ipv4-or-ipv6' },
  qci: { type: 'integer', minimum: 1, maximum: 255, description: 'must be an integer 1..255' },
  arp,
  ambr,
  chargingCharacteristics: nullable(str(FIELD.chargingCharacteristics)),
};
export const apnCreate = obj(apnFields, ['name']);
export const apnPatch = obj(apnFields);
export const apn = obj({ id: { type: 'integer' }, ...apnFields, name: { type: 'string' }, pdnType: { type: 'string' }, qci: { type: 'integer' }, chargingCharacteristics: { type: ['string', 'null'] }, createdAt: time, updatedAt: time });

const impuIn = obj({ impu: str(FIELD.impu), barred: bool('barred'), irs: { type: 'integer', minimum: 0, description: 'implicit registration set: must be an integer ≥ 0' } }, ['impu']);
const imsFields = {
  imsi: nullable(str(FIELD.imsi)),
  msisdn: nullable(str(FIELD.msisdn)),
  authScheme: { type: 'string', enum: ['aka', 'sip-digest', 'digest-md5'], description: 'must be aka, sip-digest or digest-md5' },
  digestRealm: { type: ['string', 'null'], maxLength: 255, description: 'must be a realm string' },
  digestPassword: { type: ['string', 'null'], minLength: 1, maxLength: 255, writeOnly: true, description: 'must be a non-empty string' },
  digestHa1: { ...nullable(str(FIELD.ha1)), writeOnly: true },
  digestQop: { type: ['string', 'null'], enum: ['auth', 'auth-int', null], description: 'must be auth or auth-int' },
  ifcTemplateId: { ...id, type: ['integer', 'null'] },
  // IMS subscription shared with other IMPIs (SAA Associated-Identities); null: none.
  subscriptionId: nullable(str(FIELD.subscriptionId)),
  // UAR/LIR for a user with no S-CSCF: the preferred one, else the pool's (docs/ims.md).
  scscfPoolId: { ...id, type: ['integer', 'null'] },
  preferredScscf: nullable(str(FIELD.sipUri)),
  impus: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    items: impuIn,
    description: 'must be a list of at least one public identity; on update, identities that stay keep their registration state and Sh data',
  },
};
export const imsCreate = obj({ impi: str(FIELD.impi), ...imsFields }, ['impi', 'impus']);
export const imsPatch = obj(imsFields);
export const imsSubscriber = obj({
  impi: { type: 'string' },
  imsi: { type: ['string', 'null'] },
  msisdn: { type: ['string', 'null'] },
  authScheme: { type: 'string' },
  digestRealm: { type: ['string', 'null'] },
  digestSecret: { type: ['string', 'null'], description: 'which digest secret is stored (password or ha1); never the secret' },
  digestQop: { type: ['string', 'null'] },
  ifcTemplateId: { type: ['integer', 'null'] },
  subscriptionId: { type: ['string', 'null'] },
  scscfPoolId: { type: ['integer', 'null'], description: 'S-CSCF pool offered when none is assigned' },
  preferredScscf: { type: ['string', 'null'], description: 'S-CSCF named when none is assigned, before any pool' },
  impus: {
    type: 'array',
    items: obj({
      impu: { type: 'string' },
      barred: { type: 'boolean' },
      irs: { type: 'integer' },
      scscfName: { type: ['string', 'null'], description: 'S-CSCF assigned to this public identity' },
      registrationState: { type: 'string', description: 'not-registered, registered or unregistered (TS 29.228 §6.1.2, per public identity)' },
    }),
  },
  scscfName: { type: ['string', 'null'], description: 'summary: the S-CSCF of the most registered public identity' },
  registrationState: { type: 'string', description: 'summary: registered if any public identity is, else unregistered if any is, else not-registered' },
  createdAt: time,
  updatedAt: time,
});

const ifcFields = {
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'must be a non-empty string of at most 200 characters' },
  xml: {
    type: 'string',
    minLength: 1,
    maxLength: 1_000_000,
    description: 'must be well-formed XML holding one or more <InitialFilterCriteria> elements as TS 29.228 Annex E defines them (checked on upload; a 400 names the line and column)',
  },
};
export const ifcCreate = obj(ifcFields, ['name', 'xml']);
export const ifcPatch = obj(ifcFields);
export const ifcTemplate = obj({ id: { type: 'integer' }, ...ifcFields, createdAt: time, updatedAt: time });

const capabilities = { type: 'array', maxItems: 64, items: { type: 'integer', minimum: 0, maximum: 4294967295 }, description: 'must be a list of Unsigned32 capability values' };
const scscfPoolFields = {
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'must be a non-empty string of at most 200 characters' },
  serverNames: { type: 'array', minItems: 1, maxItems: 64, items: str(FIELD.sipUri), description: 'must be a list of 1-64 S-CSCF SIP URIs (a URI with a port makes Kamailio skip DNS SRV)' },
  mandatoryCapabilities: capabilities,
  optionalCapabilities: capabilities,
  answer: { type: 'string', enum: ['server-name', 'capabilities'], description: 'must be server-name (UAA/LIA name one of serverNames, the same for a user every time) or capabilities (Server-Capabilities: the I-CSCF picks)' },
};
export const scscfPoolCreate = obj(scscfPoolFields, ['name', 'serverNames']);
export const scscfPoolPatch = obj(scscfPoolFields);
export const scscfPool = obj({ id: { type: 'integer' }, ...scscfPoolFields, createdAt: time, updatedAt: time });

const roamingFields = { name: { type: 'string', minLength: 1, maxLength: 200, description: 'must be a non-empty string' }, mcc: str(FIELD.mcc), mnc: str(FIELD.mnc), allowed: bool('allowed') };
export const roamingCreate = obj(roamingFields, ['name', 'mcc', 'mnc']);
export const roamingPatch = obj(roamingFields);
export const roamingRule = obj({ id: { type: 'integer' }, ...roamingFields, name: { type: 'string' }, mcc: { type: 'string' }, mnc: { type: 'string' }, createdAt: time, updatedAt: time });

export const auditEntry = obj({
  id: { type: 'integer' },
  at: time,
  actor: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  resourceId: { type: 'string' },
  details: { type: 'object', additionalProperties: true },
});

export const pageQuery = obj({
  limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `must be an integer 1..${MAX_PAGE_LIMIT}` },
  after: { type: 'string', maxLength: 300, description: 'the `next` value of the previous page' },
});

export const page = (item: Schema): Schema => obj({ items: { type: 'array', items: item }, next: { type: ['string', 'null'] } });

export const errorBody = obj({
  statusCode: { type: 'integer' },
  error: { type: 'string' },
  code: { type: 'string' },
  field: { type: 'string' },
  message: { type: 'string' },
  line: { type: 'integer', description: 'for an XML field: the line of the problem (1-based)' },
  column: { type: 'integer', description: 'for an XML field: the column of the problem (1-based)' },
});

export const imsiParam = obj({ imsi: str(FIELD.imsi) }, ['imsi']);
export const msisdnParam = obj({ msisdn: str(FIELD.msisdn) }, ['msisdn']);
export const impiParam = obj({ impi: str(FIELD.impi) }, ['impi']);
export const impuParam = obj({ impu: str(FIELD.impu) }, ['impu']);
export const idParam = obj({ id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'must be a positive integer id' } }, ['id']);
