// Public API of the HSS authentication crypto: TS 35.206 MILENAGE, TS 34.108 §8.1.2 test algorithm,
// TS 33.220/33.401 KDF, TS 33.102 vectors, SQN management (Annex C) and resync, RFC 2617/3310 Digest.
export { AuthError, AuthErrorCode } from './errors.js';
export {
  createAkaAlgorithm,
  type AkaAlgorithm,
  type AkaAlgorithmKind,
  type AkaOutputs,
  type AkaSubscriberKeys,
} from './aka-algorithm.js';
export { Milenage, MILENAGE_DEFAULT_CONSTANTS, deriveOpc, type MilenageConstants } from './milenage.js';
export { TestAlgorithm, TEST_ALGORITHM_DEFAULT_RES_LENGTH } from './test-algorithm.js';
export {
  KdfFc,
  kdf,
  deriveKasme,
  deriveKasmeFromCkIk,
  encodePlmnId,
  decodePlmnId,
  type PlmnId,
} from './kdf.js';
export { c2, c3 } from './gsm-conversion.js';
export { cryptoRandSource, fixedRandSource, type RandSource } from './rand-source.js';
export {
  buildEpsVector,
  buildEpsVectors,
  buildUtranQuintet,
  buildGeranTriplet,
  buildImsAkaItem,
  sipAkaNonce,
  type EpsVector,
  type UtranQuintet,
  type GeranTriplet,
  type ImsAkaItem,
} from './vectors.js';
export {
  SQN_BITS,
  SQN_MAX,
  DEFAULT_IND_BITS,
  DEFAULT_DELTA,
  DEFAULT_LIMIT_L,
  splitSqn,
  joinSqn,
  nextSqn,
  reserve,
  nextSqnAfterResync,
  sqnToBytes,
  sqnFromBytes,
  isInUsimRange,
  initialUsimState,
  usimCheckSqn,
  type SqnOptions,
  type NextSqnOptions,
  type SqnWindow,
  type SqnRejection,
  type UsimSqnState,
} from './sqn.js';
export {
  verifyAuts,
  verifyResyncInfo,
  RESYNC_INFO_LENGTH,
  AUTS_LENGTH,
  type ResyncResult,
  type ResyncFailure,
} from './resync.js';
export {
  Redacted,
  digestHa1,
  digestHa1Sess,
  akaV1Ha1,
  digestHa2,
  digestResponse,
  sipDigestAuthenticate,
  digestMd5Item,
  type DigestQop,
  type DigestAlgorithm,
  type DigestResponseInput,
  type SipDigestAuthenticate,
  type DigestMd5Item,
} from './digest.js';
