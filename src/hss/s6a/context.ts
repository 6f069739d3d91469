// What every S6a procedure gets: the node's origin, the store, the options with their defaults,
// and the sender for HSS-initiated requests (CLR, IDR, DSR).
import type { Logger } from 'pino';
import type { Store } from '../../store/model.js';
import type { RandSource } from '../auth/index.js';
import type { Origin } from './answer.js';
import type { Outbound } from './outbound.js';

export interface S6aOptions {
  /** Upper bound on Number-Of-Requested-Vectors honoured per AIR; default 32 (more are capped). */
  maxVectors?: number;
  /** IND length in bits (TS 33.102 C.1.1.2); default 5. */
  indBits?: number;
  /** Δ of the USIMs (TS 33.102 C.2.2), for the resync decision of §6.3.5; default 2^28. */
  sqnDelta?: number;
  /** RAND source (tests); default the CSPRNG. */
  randSource?: RandSource;
  /** Home PLMNs (MCC/MNC). Default: the visited PLMN is home when its MCC+MNC prefixes the IMSI. */
  homePlmns?: { mcc: string; mnc: string }[];
  /** Experimental-Result for a disabled subscriber (AIR and ULR); default 5001 USER_UNKNOWN. */
  disabledResult?: number;
  /** Experimental-Result for an unknown IMSI in AIR; default 5001 (PyHSS allows 5004). */
  unknownUserResult?: number;
  /** Send CLR to the old MME/SGSN when another one registers; default true. */
  cancelOnChange?: boolean;
  /** Send IDR/DSR/CLR to the serving node when the subscription changes in the store; default true. */
  pushOnChange?: boolean;
  /** Attempts per HSS-initiated request before giving up (logged); default 3. */
  attempts?: number;
  /** Delay between attempts, ms; default 1000. */
  retryDelayMs?: number;
  /**
   * Features this HSS supports, per Feature-List-ID (TS 29.272 §7.3.10), answered where the MME
   * offers them. Default: list 1 bit 29, Partial Purge (PUR-Flags: purge-ue.ts keeps the MME and SGSN
   * registrations apart).
   */
  supportedFeatures?: Readonly<Record<number, number>>;
}

/** TS 29.272 Table 7.3.10/1, Feature-List-ID 1, bit 29: Partial Purge from a combined MME/SGSN. */
export const FEATURE_PARTIAL_PURGE = 1 << 29;

export interface ResolvedOptions {
  readonly maxVectors: number;
  readonly indBits: number | undefined;
  readonly sqnDelta: number | undefined;
  readonly randSource: RandSource | undefined;
  readonly homePlmns: readonly { mcc: string; mnc: string }[] | undefined;
  readonly disabledResult: number;
  readonly unknownUserResult: number;
  readonly cancelOnChange: boolean;
  readonly pushOnChange: boolean;
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly supportedFeatures: ReadonlyMap<number, number>;
}

export function resolveOptions(o: S6aOptions = {}): ResolvedOptions {
  return {
    maxVectors: o.maxVectors ?? 32,
    indBits: o.indBits,
    sqnDelta: o.sqnDelta,
    randSource: o.randSource,
    homePlmns: o.homePlmns,
    disabledResult: o.disabledResult ?? 5001,
    unknownUserResult: o.unknownUserResult ?? 5001,
    cancelOnChange: o.cancelOnChange ?? true,
    pushOnChange: o.pushOnChange ?? true,
    attempts: Math.max(1, o.attempts ?? 3),
    retryDelayMs: o.retryDelayMs ?? 1000,
    supportedFeatures: new Map(Object.entries(o.supportedFeatures ?? { 1: FEATURE_PARTIAL_PURGE }).map(([id, list]) => [Number(id), list >>> 0])),
  };
}

export interface S6aContext {
  readonly origin: Origin;
  readonly store: Store;
  readonly opts: ResolvedOptions;
  readonly log: Logger;
  readonly outbound: Outbound;
}
