// Errors of the HSS authentication crypto (src/hss/auth); the codes live in src/errors.ts.
// Messages name the parameter and what was expected — never the value, since most inputs are keys.

import { ErrorCode } from '../../errors.js';

export const AuthErrorCode = {
  /** An octet string has the wrong length (K, OPc, RAND, SQN, AMF, PLMN-Id, ...). */
  BAD_LENGTH: ErrorCode.AUTH_BAD_LENGTH,
  /** A parameter is out of range or malformed (r constants, IND length, MCC/MNC digits, qop, ...). */
  BAD_PARAMETER: ErrorCode.AUTH_BAD_PARAMETER,
  /** SEQ would pass its maximum (TS 33.102 Annex C: SEQ must never wrap). */
  SQN_EXHAUSTED: ErrorCode.AUTH_SQN_EXHAUSTED,
} as const;

export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** Throws AUTH_ERR_BAD_LENGTH unless `value` is exactly `octets` long. Never echoes the value. */
export function expectLength(name: string, value: Uint8Array, octets: number): void {
  if (value.length !== octets) {
    throw new AuthError(
      AuthErrorCode.BAD_LENGTH,
      `${name} must be ${octets} octets, got ${value.length}`,
    );
  }
}
