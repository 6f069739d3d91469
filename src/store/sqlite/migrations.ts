// Versioned schema of the SQLite store. PRAGMA user_version holds the version reached; open()
// applies the missing steps in one transaction each, so a crash mid-migration leaves the previous
// version intact. Never edit a released step: add a new one.
//
// Request-path lookups (by IMSI, MSISDN, IMPI, IMPU) hit primary keys or the indexes below.
// Subscriber-keyed tables are WITHOUT ROWID: the row lives in the IMSI's B-tree, one seek per lookup.

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'subscribers, AuC, APNs, roaming rules, serving nodes, IMS, iFC templates, audit log',
    sql: `
CREATE TABLE apn (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  pdn_type TEXT NOT NULL,
  qci INTEGER NOT NULL,
  arp_priority INTEGER NOT NULL,
  arp_preemption_capability INTEGER NOT NULL,
  arp_preemption_vulnerability INTEGER NOT NULL,
  ambr_ul INTEGER NOT NULL,
  ambr_dl INTEGER NOT NULL,
  charging_characteristics TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE roaming_rule (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mcc TEXT NOT NULL,
  mnc TEXT NOT NULL,
  allowed INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (mcc, mnc)
);
CREATE TABLE subscriber (
  imsi TEXT PRIMARY KEY,
  msisdn TEXT,
  enabled INTEGER NOT NULL,
  ambr_ul INTEGER NOT NULL,
  ambr_dl INTEGER NOT NULL,
  network_access_mode TEXT NOT NULL,
  access_restriction INTEGER NOT NULL,
  rat_restrictions TEXT NOT NULL,
  periodic_tau INTEGER,
  default_apn TEXT,
  roaming_allowed INTEGER NOT NULL,
  charging_characteristics TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX subscriber_msisdn ON subscriber (msisdn) WHERE msisdn IS NOT NULL;
CREATE TABLE subscriber_apn (
  imsi TEXT NOT NULL REFERENCES subscriber (imsi) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  apn_id INTEGER NOT NULL REFERENCES apn (id) ON DELETE RESTRICT,
  static_ip TEXT,
  PRIMARY KEY (imsi, position),
  UNIQUE (imsi, apn_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_apn_apn ON subscriber_apn (apn_id);
CREATE TABLE subscriber_roaming_rule (
  imsi TEXT NOT NULL REFERENCES subscriber (imsi) ON DELETE CASCADE,
  rule_id INTEGER NOT NULL REFERENCES roaming_rule (id) ON DELETE RESTRICT,
  PRIMARY KEY (imsi, rule_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_roaming_rule_rule ON subscriber_roaming_rule (rule_id);
CREATE TABLE auc (
  imsi TEXT PRIMARY KEY REFERENCES subscriber (imsi) ON DELETE CASCADE,
  algorithm TEXT NOT NULL,
  k BLOB NOT NULL,
  opc BLOB,
  op BLOB,
  amf BLOB NOT NULL,
  sqn INTEGER NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE serving_node (
  imsi TEXT PRIMARY KEY REFERENCES subscriber (imsi) ON DELETE CASCADE,
  mme_host TEXT,
  mme_realm TEXT,
  mme_updated_at TEXT,
  sgsn_host TEXT,
  sgsn_realm TEXT,
  sgsn_updated_at TEXT,
  purged INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE ifc_template (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  xml TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE ims_subscriber (
  impi TEXT PRIMARY KEY,
  imsi TEXT REFERENCES subscriber (imsi) ON DELETE SET NULL,
  msisdn TEXT,
  auth_scheme TEXT NOT NULL,
  digest_realm TEXT,
  digest_password TEXT,
  digest_ha1 TEXT,
  digest_qop TEXT,
  ifc_template_id INTEGER REFERENCES ifc_template (id) ON DELETE RESTRICT,
  scscf_name TEXT,
  registration_state TEXT NOT NULL,
  scscf_updated_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ims_subscriber_imsi ON ims_subscriber (imsi);
CREATE INDEX ims_subscriber_msisdn ON ims_subscriber (msisdn);
CREATE INDEX ims_subscriber_ifc ON ims_subscriber (ifc_template_id);
CREATE TABLE ims_public_identity (
  impu TEXT PRIMARY KEY,
  impi TEXT NOT NULL REFERENCES ims_subscriber (impi) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  barred INTEGER NOT NULL,
  irs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ims_public_identity_impi ON ims_public_identity (impi, position);
-- TS 29.328 Sh: transparent repository data per (IMPU, Service-Indication) with its sequence number,
-- and Sh subscriptions (SNR). Filled by the Sh issue.
CREATE TABLE sh_repository_data (
  impu TEXT NOT NULL REFERENCES ims_public_identity (impu) ON DELETE CASCADE,
  service_indication TEXT NOT NULL,
  sequence_number INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (impu, service_indication)
) WITHOUT ROWID;
CREATE TABLE sh_subscription (
  id INTEGER PRIMARY KEY,
  impu TEXT NOT NULL REFERENCES ims_public_identity (impu) ON DELETE CASCADE,
  data_reference INTEGER NOT NULL,
  service_indication TEXT,
  origin_host TEXT NOT NULL,
  origin_realm TEXT NOT NULL,
  expires_at TEXT
);
CREATE INDEX sh_subscription_impu ON sh_subscription (impu);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_log_resource ON audit_log (resource, resource_id);
`,
  },
  {
    version: 2,
    description: 'IMS registration state and S-CSCF per public identity (TS 29.228 §6.1.2); IMS subscription groups',
    // The state of each IMPI moves to every one of its IMPUs (they all registered together before),
    // then leaves ims_subscriber so there is one place that says it.
    sql: `
ALTER TABLE ims_public_identity ADD COLUMN scscf_name TEXT;
ALTER TABLE ims_public_identity ADD COLUMN registration_state TEXT NOT NULL DEFAULT 'not-registered';
ALTER TABLE ims_public_identity ADD COLUMN scscf_updated_at TEXT;
UPDATE ims_public_identity SET
  scscf_name = (SELECT s.scscf_name FROM ims_subscriber s WHERE s.impi = ims_public_identity.impi),
  registration_state = (SELECT s.registration_state FROM ims_subscriber s WHERE s.impi = ims_public_identity.impi),
  scscf_updated_at = (SELECT s.scscf_updated_at FROM ims_subscriber s WHERE s.impi = ims_public_identity.impi);
ALTER TABLE ims_subscriber DROP COLUMN scscf_name;
ALTER TABLE ims_subscriber DROP COLUMN registration_state;
ALTER TABLE ims_subscriber DROP COLUMN scscf_updated_at;
-- TS 23.228 §4.3.3.1: IMPIs sharing one IMS subscription (SAA Associated-Identities).
ALTER TABLE ims_subscriber ADD COLUMN subscription_id TEXT;
CREATE INDEX ims_subscriber_subscription ON ims_subscriber (subscription_id) WHERE subscription_id IS NOT NULL;
`,
  },
  {
    version: 3,
    description: 'S6a: terminal (IMEI, software version) per serving node; the last NOR per subscriber (TS 29.272 §5.2.1.1, §5.2.5.1)',
    sql: `
ALTER TABLE serving_node ADD COLUMN imei TEXT;
ALTER TABLE serving_node ADD COLUMN software_version TEXT;
ALTER TABLE serving_node ADD COLUMN terminal_updated_at TEXT;
CREATE TABLE s6a_notification (
  imsi TEXT PRIMARY KEY REFERENCES subscriber (imsi) ON DELETE CASCADE,
  from_host TEXT NOT NULL,
  at TEXT NOT NULL,
  nor_flags INTEGER,
  alert_reason INTEGER,
  context_identifier INTEGER,
  service_selection TEXT,
  pdn_gw_host TEXT,
  imei TEXT,
  software_version TEXT
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    description: 'Cx: S-CSCF pools (TS 29.228 §6.1.1.1, §6.7 Server-Capabilities) and per-subscriber S-CSCF preference',
    sql: `
CREATE TABLE scscf_pool (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  server_names TEXT NOT NULL,
  mandatory_capabilities TEXT NOT NULL DEFAULT '[]',
  optional_capabilities TEXT NOT NULL DEFAULT '[]',
  answer TEXT NOT NULL DEFAULT 'server-name' CHECK (answer IN ('server-name', 'capabilities')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
ALTER TABLE ims_subscriber ADD COLUMN scscf_pool_id INTEGER REFERENCES scscf_pool (id);
ALTER TABLE ims_subscriber ADD COLUMN preferred_scscf TEXT;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
