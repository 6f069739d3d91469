// TS 33.102 §6.3.2 — the AKA functions f1..f5, f1*, f5* seen by the AuC, behind one interface so
// MILENAGE (TS 35.206) and the 3GPP test algorithm (TS 34.108 §8.1.2) are chosen per subscriber.
import { AuthError, AuthErrorCode } from './errors.js';
import { Milenage, type MilenageConstants } from './milenage.js';
import { TestAlgorithm } from './test-algorithm.js';

/** Outputs of one AKA run. Fields may be views into one shared buffer (see ckIk). */
export interface AkaOutputs {
  /** f1 = MAC-A, 8 octets. */
  readonly macA: Buffer;
  /** f1* = MAC-S with the same AMF, 8 octets. */
  readonly macS: Buffer;
  /** f2 = RES / XRES, 4..16 octets (MILENAGE: 8). */
  readonly res: Buffer;
  /** f3 = CK, 16 octets. */
  readonly ck: Buffer;
  /** f4 = IK, 16 octets. */
  readonly ik: Buffer;
  /** f5 = AK, 6 octets. */
  readonly ak: Buffer;
  /** CK ‖ IK, 32 octets — the KDF key of TS 33.401 Annex A.2, here without a copy. */
  readonly ckIk: Buffer;
}

export type AkaAlgorithmKind = 'milenage' | 'test-xor';

export interface AkaAlgorithm {
  readonly kind: AkaAlgorithmKind;
  /** f1, f1*, f2, f3, f4, f5 for RAND (16), SQN (6), AMF (2). */
  generate(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaOutputs;
  /** f1* (MAC-S), 8 octets. */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer;
  /** f5* (AK for AUTS), 6 octets. */
  f5star(rand: Uint8Array): Buffer;
}

/** Per-subscriber authentication keys as the store hands them over. */
export type AkaSubscriberKeys =
  | {
      readonly algorithm: 'milenage';
      readonly k: Uint8Array;
      readonly opc: Uint8Array;
      readonly op?: never;
      readonly constants?: Partial<MilenageConstants>;
    }
  | {
      readonly algorithm: 'milenage';
      readonly k: Uint8Array;
      readonly op: Uint8Array;
      readonly opc?: never;
      readonly constants?: Partial<MilenageConstants>;
    }
  | { readonly algorithm: 'test-xor'; readonly k: Uint8Array; readonly resLength?: number };

/** Builds the algorithm object of one subscriber (creates its AES key schedule once). */
export function createAkaAlgorithm(keys: AkaSubscriberKeys): AkaAlgorithm {
  switch (keys.algorithm) {
    case 'milenage':
      if (keys.opc !== undefined) return new Milenage(keys.k, keys.opc, keys.constants);
      if (keys.op !== undefined) return Milenage.fromOp(keys.k, keys.op, keys.constants);
      throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'milenage keys need opc or op');
    case 'test-xor':
      return new TestAlgorithm(keys.k, keys.resLength);
    default: {
      const never: never = keys;
      void never;
      throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'algorithm must be "milenage" or "test-xor"');
    }
  }
}
