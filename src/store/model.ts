// What the HSS keeps per subscriber, as the applications (S6a, Cx, Sh), the REST API and the CLI see
// it, and the repository interfaces they use. Storage engines (sqlite/) implement these; nothing
// above the store knows SQL. Secrets (Ki, OP, OPc, digest password, HA1) only leave through
// AucRepository.credentials / reserveSqns and ImsSubscriberRepository.digestCredentials.

/** Keyset pagination: `after` is the last key of the previous page. */
export interface PageRequest {
  readonly limit?: number;
  readonly after?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Key to pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** Who made a change, for the audit log ("api:127.0.0.1", "cli:alice"). */
export type Actor = string;

// ---- subscribers (TS 29.272 §7.3.2 Subscription-Data) ----

/** Network-Access-Mode, TS 29.272 §7.3.21 (value 1 is reserved). */
export type NetworkAccessMode = 'packet-and-circuit' | 'only-packet';

/** RAT types a subscriber may be barred from (ULR RAT-Type check, 5421 RAT_NOT_ALLOWED). */
export const RAT_NAMES = ['utran', 'geran', 'gan', 'hspa-evolution', 'eutran', 'eutran-nb-iot', 'nr'] as const;
export type RatName = (typeof RAT_NAMES)[number];

export interface Ambr {
  /** bits per second */
  readonly uplink: number;
  readonly downlink: number;
}

export interface SubscriberApn {
  readonly name: string;
  /** Served-Party-IP-Address for this APN, or null for dynamic allocation. */
  readonly staticIp: string | null;
}

export interface Subscriber {
  readonly imsi: string;
  readonly msisdn: string | null;
  readonly enabled: boolean;
  readonly ambr: Ambr;
  readonly networkAccessMode: NetworkAccessMode;
  /** Access-Restriction-Data bits, TS 29.272 §7.3.31. */
  readonly accessRestriction: number;
  readonly ratRestrictions: RatName[];
  /** Subscribed-Periodic-RAU-TAU-Timer, seconds; null: not sent. */
  readonly periodicTau: number | null;
  /** Context of the default APN; must be one of `apns`. */
  readonly defaultApn: string | null;
  readonly apns: SubscriberApn[];
  readonly roamingAllowed: boolean;
  /** Ids of roaming rules that apply to this subscriber (by visited PLMN). */
  readonly roamingRules: number[];
  /** 3GPP-Charging-Characteristics, 4 hex digits; null: not sent. */
  readonly chargingCharacteristics: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SubscriberInput {
  imsi: string;
  msisdn?: string | null;
  enabled?: boolean;
  ambr?: Ambr;
  networkAccessMode?: NetworkAccessMode;
  accessRestriction?: number;
  ratRestrictions?: RatName[];
  periodicTau?: number | null;
  defaultApn?: string | null;
  apns?: (string | { name: string; staticIp?: string | null })[];
  roamingAllowed?: boolean;
  roamingRules?: number[];
  chargingCharacteristics?: string | null;
}

export type SubscriberPatch = Partial<Omit<SubscriberInput, 'imsi'>>;

// ---- AuC ----

export type AucAlgorithm = 'milenage' | 'test-xor';

/** What the API shows of an AuC entry: never K, OP or OPc. */
export interface AucView {
  readonly imsi: string;
  readonly algorithm: AucAlgorithm;
  /** Which operator key is stored: 'opc', 'op' (OPc derived at use), or null (test-xor). */
  readonly operatorKey: 'opc' | 'op' | null;
  /** 4 hex digits. */
  readonly amf: string;
  /** SQN_HE: the last SQN issued (48-bit). */
  readonly sqn: number;
  readonly updatedAt: string;
}

export interface AucInput {
  imsi: string;
  algorithm?: AucAlgorithm;
  /** 32 hex digits each. */
  k: string;
  opc?: string;
  op?: string;
  /** 4 hex digits; default 8000. */
  amf?: string;
  /** Initial SQN_HE: an integer, or up to 12 hex digits; default 0. */
  sqn?: number | string;
}

export type AucPatch = Partial<Omit<AucInput, 'imsi'>>;

/** The keys the AKA algorithm needs, handed to src/hss only. */
export interface AucCredentials {
  readonly imsi: string;
  readonly algorithm: AucAlgorithm;
  readonly k: Buffer;
  readonly opc: Buffer | null;
  readonly op: Buffer | null;
  readonly amf: Buffer;
}

/** SQNs reserved (and durably committed) for a batch of vectors, with the keys to build them. */
export interface SqnReservation {
  readonly credentials: AucCredentials;
  /** The SQNs to put in the vectors, in order. */
  readonly sqns: number[];
}

export type ReserveFailure = 'unknown-subscriber' | 'sqn-exhausted';
export type ReserveResult = ({ readonly ok: true } & SqnReservation) | { readonly ok: false; readonly reason: ReserveFailure };

// ---- APN profiles (TS 29.272 §7.3.35 APN-Configuration) ----

export type PdnType = 'ipv4' | 'ipv6' | 'ipv4v6' | 'ipv4-or-ipv6';

export interface Arp {
  /** 1..15, 1 highest. */
  readonly priority: number;
  readonly preemptionCapability: boolean;
  readonly preemptionVulnerability: boolean;
}

export interface ApnProfile {
  readonly id: number;
  readonly name: string;
  readonly pdnType: PdnType;
  readonly qci: number;
  readonly arp: Arp;
  readonly ambr: Ambr;
  readonly chargingCharacteristics: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ApnInput {
  name: string;
  pdnType?: PdnType;
  qci?: number;
  arp?: Arp;
  ambr?: Ambr;
  chargingCharacteristics?: string | null;
}

export type ApnPatch = Partial<ApnInput>;

// ---- IMS (TS 29.228 / 29.328) ----

/** How the S-CSCF authenticates this IMPI (MAR SIP-Authentication-Scheme). */
export type ImsAuthScheme = 'aka' | 'sip-digest' | 'digest-md5';
export type ImsRegistrationState = 'not-registered' | 'registered' | 'unregistered';

export interface PublicIdentity {
  readonly impu: string;
  readonly barred: boolean;
  /** Implicit registration set number within the IMPI: IMPUs with equal numbers register together. */
  readonly irs: number;
  /** TS 29.228 §6.1.2: the S-CSCF assigned to this public identity (null: none). */
  readonly scscfName: string | null;
  /** TS 29.228 §6.1.2: registration state of this public identity. */
  readonly registrationState: ImsRegistrationState;
}

/** A public identity as provisioned (its registration state is the HSS's own). */
export interface PublicIdentityInput {
  impu: string;
  barred?: boolean;
  irs?: number;
}

export interface ImsSubscriber {
  readonly impi: string;
  /** The USIM's IMSI whose AuC serves AKA for this IMPI (null for fixed-line digest users). */
  readonly imsi: string | null;
  readonly msisdn: string | null;
  readonly authScheme: ImsAuthScheme;
  readonly digestRealm: string | null;
  /** Which digest secret is stored (never the secret itself). */
  readonly digestSecret: 'password' | 'ha1' | null;
  readonly digestQop: 'auth' | 'auth-int' | null;
  readonly ifcTemplateId: number | null;
  /**
   * IMS subscription this IMPI belongs to (TS 23.228 §4.3.3.1: one subscription, several IMPIs);
   * IMPIs with the same key are each other's Associated-Identities in SAA. Null: alone.
   */
  readonly subscriptionId: string | null;
  /** S-CSCF pool the I-CSCF is offered for this user when none is assigned (UAR/LIR); null: the configured one. */
  readonly scscfPoolId: number | null;
  /** S-CSCF (SIP URI) named in UAA/LIA when none is assigned; before any pool. */
  readonly preferredScscf: string | null;
  readonly impus: PublicIdentity[];
  /**
   * Summary of the IMPUs' own states (state and S-CSCF are kept per IMPU): registered if any IMPU
   * is, else unregistered if any is, else not-registered; the S-CSCF of the first IMPU in that state.
   */
  readonly scscfName: string | null;
  readonly registrationState: ImsRegistrationState;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ImsSubscriberInput {
  impi: string;
  imsi?: string | null;
  msisdn?: string | null;
  authScheme?: ImsAuthScheme;
  digestRealm?: string | null;
  digestPassword?: string | null;
  digestHa1?: string | null;
  digestQop?: 'auth' | 'auth-int' | null;
  ifcTemplateId?: number | null;
  subscriptionId?: string | null;
  scscfPoolId?: number | null;
  preferredScscf?: string | null;
  impus: PublicIdentityInput[];
}

export type ImsSubscriberPatch = Partial<Omit<ImsSubscriberInput, 'impi'>>;

export interface DigestCredentials {
  readonly impi: string;
  readonly realm: string | null;
  readonly password: string | null;
  readonly ha1: string | null;
  readonly qop: 'auth' | 'auth-int' | null;
}

export interface IfcTemplate {
  readonly id: number;
  readonly name: string;
  /** XML fragment of <InitialFilterCriteria> elements (TS 29.228 Annex B). */
  readonly xml: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface IfcTemplateInput {
  name: string;
  xml: string;
}

// ---- roaming ----

export interface RoamingRule {
  readonly id: number;
  readonly name: string;
  readonly mcc: string;
  readonly mnc: string;
  readonly allowed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RoamingRuleInput {
  name: string;
  mcc: string;
  mnc: string;
  allowed?: boolean;
}

// ---- serving nodes (S6a ULR/PUR, Cx SAR) ----

export interface ServingNode {
  readonly imsi: string;
  readonly mmeHost: string | null;
  readonly mmeRealm: string | null;
  readonly mmeUpdatedAt: string | null;
  readonly sgsnHost: string | null;
  readonly sgsnRealm: string | null;
  readonly sgsnUpdatedAt: string | null;
  /** PUR received: the UE is purged from the MME. */
  readonly purged: boolean;
  /** Terminal-Information of the last ULR or NOR (TS 29.272 §7.3.3): IMEI (14-15 digits) and software version. */
  readonly imei: string | null;
  readonly softwareVersion: string | null;
  readonly terminalUpdatedAt: string | null;
}

/** What the last NOR (TS 29.272 §5.2.5.1) of a subscriber notified. */
export interface S6aNotification {
  readonly imsi: string;
  readonly from: string;
  readonly at: string;
  readonly norFlags: number | null;
  readonly alertReason: number | null;
  readonly contextIdentifier: number | null;
  readonly serviceSelection: string | null;
  /** MIP6-Agent-Info → MIP-Home-Agent-Host → Destination-Host: the PDN GW identity. */
  readonly pdnGwHost: string | null;
  readonly imei: string | null;
  readonly softwareVersion: string | null;
}

// ---- Sh (TS 29.328) ----

/** Transparent data an AS keeps per (public identity, Service-Indication), TS 29.328 §7.6.1. */
export interface ShRepositoryData {
  readonly impu: string;
  readonly serviceIndication: string;
  /** 0 on creation, then +1 per update, 65535 wrapping to 1 (TS 29.328 §7.6.1). */
  readonly sequenceNumber: number;
  /** The ServiceData content (raw XML), UTF-8. */
  readonly data: Buffer;
}

/** One Service-Indication of a public identity, without its data (the REST list). */
export interface ShRepositoryEntry {
  readonly serviceIndication: string;
  readonly sequenceNumber: number;
  /** ServiceData length, bytes. */
  readonly size: number;
}

/** An operator's write of repository data: the store picks the sequence number. */
export interface ShDataSet {
  /** null: delete. */
  readonly data: Buffer | null;
  /** When given, the stored number must be this one (optimistic concurrency), else a conflict. */
  readonly expectedSequenceNumber?: number;
  /** The number that follows a stored one (the TS 29.328 §7.6.1 rule, kept in src/hss/sh). */
  readonly next: (current: number) => number;
}

/** Outcome of a compare-and-set write of repository data. */
export type ShDataWrite =
  | { readonly ok: true; readonly previous: ShRepositoryData | undefined }
  | { readonly ok: false; readonly reason: 'out-of-sync' | 'absent' | 'unknown-identity'; readonly current: ShRepositoryData | undefined };

/** An AS's SNR subscription to one Data-Reference of one public identity (TS 29.328 §6.1.3). */
export interface ShSubscription {
  readonly id: number;
  readonly impu: string;
  readonly dataReference: number;
  /** Only for RepositoryData (0); null otherwise. */
  readonly serviceIndication: string | null;
  readonly originHost: string;
  readonly originRealm: string;
  /** ISO time; null: until unsubscribed. */
  readonly expiresAt: string | null;
}

export type ShSubscriptionInput = Omit<ShSubscription, 'id'>;

// ---- audit ----

export type AuditAction = 'create' | 'update' | 'delete' | 'import' | 'resync';

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: Actor;
  readonly action: AuditAction;
  readonly resource: string;
  readonly resourceId: string;
  /** The request as given, with secrets replaced by "***". */
  readonly details: Record<string, unknown>;
}

// ---- events ----

/** Emitted after commit when a change affects what the network was told about a subscriber. */
export interface SubscriberChangedEvent {
  readonly imsi: string;
  readonly kind: 'updated' | 'deleted';
  /** Names of the fields that changed (for IDR/DSR: which parts of Subscription-Data). */
  readonly fields: string[];
  /** The MME/SGSN serving it when the change was made (a CLR/IDR target), if any. */
  readonly servingNode: ServingNode | null;
}

export interface ImsSubscriberChangedEvent {
  readonly impi: string;
  readonly kind: 'updated' | 'deleted';
  readonly fields: string[];
  readonly impus: string[];
  readonly scscfName: string | null;
  /** 'deleted': each IMPU's S-CSCF and state just before (the rows are gone when this is heard). */
  readonly assignments?: readonly ImpuAssignment[];
}

/** One per (previous state, previous S-CSCF) of the IMPUs a change moved: `impus` shared both. */
export interface ImsRegistrationChangedEvent {
  readonly impi: string;
  readonly impus: string[];
  readonly previous: ImsRegistrationState;
  readonly state: ImsRegistrationState;
  readonly previousScscfName: string | null;
  readonly scscfName: string | null;
}

/** Repository data written or deleted (PUR or API), after commit: Sh PNRs to the subscribed ASs. */
export interface ShRepositoryChangedEvent {
  readonly impu: string;
  readonly serviceIndication: string;
  readonly sequenceNumber: number;
  /** null: deleted. */
  readonly data: Buffer | null;
  /** Origin-Host of the AS whose PUR wrote it (not notified of its own write), or "api:<client>". */
  readonly writer: string;
}

export interface StoreEvents {
  'subscriber-changed': SubscriberChangedEvent;
  'ims-subscriber-changed': ImsSubscriberChangedEvent;
  /** Cx SAR/MAR/RTR changed the S-CSCF assignment or registration state (Sh IMSUserState, S-CSCFName). */
  'ims-registration-changed': ImsRegistrationChangedEvent;
  'sh-repository-changed': ShRepositoryChangedEvent;
}

// ---- repositories ----

export interface SubscriberRepository {
  get(imsi: string): Subscriber | undefined;
  getByMsisdn(msisdn: string): Subscriber | undefined;
  list(page?: PageRequest): Page<Subscriber>;
  count(): number;
  create(input: SubscriberInput, actor: Actor): Subscriber;
  /** Subscriber and AuC in one transaction (the POST /api/v1/subscribers contract). */
  createWithAuc(input: SubscriberInput, auc: Omit<AucInput, 'imsi'>, actor: Actor): Subscriber;
  update(imsi: string, patch: SubscriberPatch, actor: Actor): Subscriber;
  delete(imsi: string, actor: Actor): void;
}

export interface AucRepository {
  get(imsi: string): AucView | undefined;
  list(page?: PageRequest): Page<AucView>;
  create(input: AucInput, actor: Actor): AucView;
  update(imsi: string, patch: AucPatch, actor: Actor): AucView;
  delete(imsi: string, actor: Actor): void;
  /** Keys without touching SQN (GERAN triplets, resync verification). */
  credentials(imsi: string): AucCredentials | undefined;
  /**
   * Reserves n SQNs (TS 33.102 C.3.4: SEQ + 1 and IND + 1 mod 2^indBits per vector) in one
   * statement and resolves only after the new SQN_HE is durably committed. Concurrent calls in one
   * event-loop turn share one commit (group commit).
   */
  reserveSqns(imsi: string, n: number, indBits: number): Promise<ReserveResult>;
  /** Same, one commit per call (CLI, tests). */
  reserveSqnsNow(imsi: string, n: number, indBits: number): ReserveResult;
  /** After a verified AUTS: SQN_HE := SQN_MS (the next vector is SEQ_MS + 1), atomically. */
  applyResync(imsi: string, sqnMs: number, actor: Actor): boolean;
}

export interface ApnRepository {
  get(id: number): ApnProfile | undefined;
  getByName(name: string): ApnProfile | undefined;
  list(page?: PageRequest): Page<ApnProfile>;
  create(input: ApnInput, actor: Actor): ApnProfile;
  update(id: number, patch: ApnPatch, actor: Actor): ApnProfile;
  delete(id: number, actor: Actor): void;
  /** The profiles of a subscriber's APNs, in its order (ULR APN-Configuration-Profile). */
  forSubscriber(imsi: string): ApnProfile[];
}

export interface ImsSubscriberRepository {
  get(impi: string): ImsSubscriber | undefined;
  getByImpu(impu: string): ImsSubscriber | undefined;
  getByMsisdn(msisdn: string): ImsSubscriber | undefined;
  list(page?: PageRequest): Page<ImsSubscriber>;
  create(input: ImsSubscriberInput, actor: Actor): ImsSubscriber;
  update(impi: string, patch: ImsSubscriberPatch, actor: Actor): ImsSubscriber;
  delete(impi: string, actor: Actor): void;
  digestCredentials(impi: string): DigestCredentials | undefined;
  /**
   * Cx SAR/MAR/RTR: S-CSCF assignment and registration state (null name: unassigned) of `impus`
   * (every IMPU of the IMPI when omitted), in one transaction. False: no such IMPI (or none of
   * `impus` is its own).
   */
  setServer(impi: string, scscfName: string | null, state: ImsRegistrationState, impus?: readonly string[]): boolean;
  /**
   * Cx SAR (hot path): each IMPU's new S-CSCF and state, group-committed (one fsync per batch).
   * get()/getByImpu() see them at once; the promise resolves after COMMIT with whether any IMPU
   * changed, and 'ims-registration-changed' is emitted then (one event per former and new state).
   */
  assign(impi: string, changes: readonly ImpuAssignment[]): Promise<boolean>;
  /**
   * Cx MAR (TS 29.228 §6.3.1): `scscfName` on those of `impus` that have no S-CSCF, states untouched,
   * group-committed like assign(); resolves with the IMPUs that got it.
   */
  recordServerName(impi: string, impus: readonly string[], scscfName: string): Promise<string[]>;
  /** The other IMPIs of the IMS subscription of `impi` (TS 29.229 §6.3.33), in IMPI order. */
  associatedImpis(impi: string): string[];
  /**
   * A cache for values derived from IMS profiles (identities, barring, sets, MSISDN, iFC templates),
   * emptied whenever one of those may have changed, whoever changed it; registration state and
   * S-CSCF changes keep it.
   */
  profileCache<V>(): DerivedCache<V>;
}

/** One IMPU's new S-CSCF (null: none) and registration state. */
export interface ImpuAssignment {
  readonly impu: string;
  readonly scscfName: string | null;
  readonly state: ImsRegistrationState;
}

export interface DerivedCache<V> {
  /** The cached value of `key`, else `load(key)` (kept unless undefined). */
  get(key: string, load: (key: string) => V | undefined): V | undefined;
}

export interface IfcTemplateRepository {
  get(id: number): IfcTemplate | undefined;
  list(page?: PageRequest): Page<IfcTemplate>;
  create(input: IfcTemplateInput, actor: Actor): IfcTemplate;
  update(id: number, patch: Partial<IfcTemplateInput>, actor: Actor): IfcTemplate;
  delete(id: number, actor: Actor): void;
}

/**
 * S-CSCFs the I-CSCF may be offered for a user with none assigned (TS 29.228 §6.1.1.1, §6.1.4.1):
 * `server-name` answers with one of `serverNames` (the same one for a user every time);
 * `capabilities` answers with Server-Capabilities (the capabilities and names), and the I-CSCF picks.
 */
export interface ScscfPool {
  readonly id: number;
  readonly name: string;
  readonly serverNames: string[];
  readonly mandatoryCapabilities: number[];
  readonly optionalCapabilities: number[];
  readonly answer: 'server-name' | 'capabilities';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ScscfPoolInput {
  name: string;
  serverNames: string[];
  mandatoryCapabilities?: number[];
  optionalCapabilities?: number[];
  answer?: 'server-name' | 'capabilities';
}

export interface ScscfPoolRepository {
  get(id: number): ScscfPool | undefined;
  list(page?: PageRequest): Page<ScscfPool>;
  create(input: ScscfPoolInput, actor: Actor): ScscfPool;
  update(id: number, patch: Partial<ScscfPoolInput>, actor: Actor): ScscfPool;
  /** Refused (conflict) while IMS subscribers refer to it. */
  delete(id: number, actor: Actor): void;
}

export interface RoamingRuleRepository {
  get(id: number): RoamingRule | undefined;
  list(page?: PageRequest): Page<RoamingRule>;
  create(input: RoamingRuleInput, actor: Actor): RoamingRule;
  update(id: number, patch: Partial<RoamingRuleInput>, actor: Actor): RoamingRule;
  delete(id: number, actor: Actor): void;
}

export interface ServingNodeRepository {
  get(imsi: string): ServingNode | undefined;
  /**
   * ULR: the MME (or SGSN) now serving the subscriber; clears `purged`. Writes are group-committed:
   * the promise resolves (false: no such subscriber) after the commit; get() sees them at once.
   */
  setMme(imsi: string, host: string, realm: string): Promise<boolean>;
  setSgsn(imsi: string, host: string, realm: string): Promise<boolean>;
  /** ULR with Single-Registration-Indication: the SGSN registration ends (the MME's stays). */
  clearSgsn(imsi: string): Promise<boolean>;
  /** PUR: marks the UE purged. */
  setPurged(imsi: string, purged: boolean): Promise<boolean>;
  /** ULR/NOR Terminal-Information; group-committed like setMme. */
  setTerminal(imsi: string, imei: string, softwareVersion: string | null): Promise<boolean>;
  /** NOR: keeps it as the subscriber's last notification (group-committed). */
  recordNotification(n: S6aNotification): Promise<boolean>;
  lastNotification(imsi: string): S6aNotification | undefined;
  /**
   * RSR: the distinct MMEs and SGSNs serving subscribers (not purged) whose IMSI starts with one of
   * `prefixes` (all subscribers when empty).
   */
  servingHosts(prefixes: readonly string[]): { host: string; realm: string; kind: 'mme' | 'sgsn' }[];
}

export interface ShRepository {
  getData(impu: string, serviceIndication: string): ShRepositoryData | undefined;
  /**
   * PUR: writes (data) or deletes (null) the repository data in one transaction if `accept` holds
   * for the stored sequence number (undefined: none stored); never writes when it does not.
   * `writer` (the AS's Origin-Host) goes into the 'sh-repository-changed' event.
   */
  putData(impu: string, serviceIndication: string, sequenceNumber: number, data: Buffer | null, accept: (current: number | undefined) => boolean, writer?: string): ShDataWrite;
  /** The Service-Indications stored for a public identity, in order. */
  listData(impu: string): ShRepositoryEntry[];
  /**
   * API write (audited): creates with 0 or stores `next(current)`; deletes when data is null.
   * Unknown IMPU or absent data to delete: not found; expectedSequenceNumber mismatch: conflict.
   * Returns what is stored now (for a delete: the notified number, data null).
   */
  setData(impu: string, serviceIndication: string, set: ShDataSet, actor: Actor): ShRepositoryChangedEvent;
  /** SNR subscribe: replaces the same AS's subscription to the same data. */
  subscribe(input: ShSubscriptionInput): ShSubscription;
  /** SNR unsubscribe; the number removed. */
  unsubscribe(impu: string, dataReference: number, serviceIndication: string | null, originHost: string): number;
  /** Unexpired subscriptions to a Data-Reference (and Service-Indication for RepositoryData) at `now`. */
  subscribers(impu: string, dataReference: number, serviceIndication: string | null, now: Date): ShSubscription[];
  /** Drops subscriptions expired at `now`; the number removed. */
  purgeExpired(now: Date): number;
}

export interface AuditLog {
  list(page?: PageRequest & { resource?: string; resourceId?: string }): Page<AuditEntry>;
}

export interface Store {
  readonly subscribers: SubscriberRepository;
  readonly auc: AucRepository;
  readonly apns: ApnRepository;
  readonly imsSubscribers: ImsSubscriberRepository;
  readonly ifcTemplates: IfcTemplateRepository;
  readonly roamingRules: RoamingRuleRepository;
  readonly scscfPools: ScscfPoolRepository;
  readonly servingNodes: ServingNodeRepository;
  readonly sh: ShRepository;
  readonly audit: AuditLog;
  on<E extends keyof StoreEvents>(event: E, listener: (e: StoreEvents[E]) => void): void;
  off<E extends keyof StoreEvents>(event: E, listener: (e: StoreEvents[E]) => void): void;
  /** Flushes pending SQN reservations and closes the database. */
  close(): void;
}
