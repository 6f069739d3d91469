// Errors of the store with stable codes (src/errors.ts). `field` names the input field at fault,
// so the API's 400/404/409 answers and the CLI name it too. Messages never carry secret values.
import { DiamondError, ErrorCode } from '../errors.js';

export type StoreErrorCode =
  | typeof ErrorCode.STORE_NOT_FOUND
  | typeof ErrorCode.STORE_CONFLICT
  | typeof ErrorCode.STORE_BAD_REFERENCE
  | typeof ErrorCode.STORE_INVALID
  | typeof ErrorCode.STORE_MIGRATION;

export class StoreError extends DiamondError {
  readonly field: string | undefined;
  constructor(code: StoreErrorCode, message: string, field?: string) {
    super(code, message);
    this.name = 'StoreError';
    this.field = field;
  }
}

export const notFound = (what: string, id: string | number): StoreError =>
  new StoreError(ErrorCode.STORE_NOT_FOUND, `${what} ${id} does not exist`);
export const conflict = (field: string, message: string): StoreError => new StoreError(ErrorCode.STORE_CONFLICT, message, field);
export const badReference = (field: string, message: string): StoreError => new StoreError(ErrorCode.STORE_BAD_REFERENCE, message, field);
export const invalid = (field: string, message: string): StoreError => new StoreError(ErrorCode.STORE_INVALID, message, field);
