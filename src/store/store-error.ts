// Errors of the store with stable codes (src/errors.ts). `field` names the input field at fault,
// so the API's 400/404/409 answers and the CLI name it too. Messages never carry secret values.
import { DiamondError, ErrorCode } from '../errors.js';

export type StoreErrorCode =
  | typeof ErrorCode.STORE_NOT_FOUND
  | typeof ErrorCode.STORE_CONFLICT
  | typeof ErrorCode.STORE_BAD_REFERENCE
  | typeof ErrorCode.STORE_INVALID
  | typeof ErrorCode.STORE_MIGRATION;

/** Where in an uploaded XML document a problem is (1-based, as editors count). */
export interface XmlLocation {
  readonly line: number;
  readonly column: number;
}

export class StoreError extends DiamondError {
  readonly field: string | undefined;
  /** Set when the field is an XML document: where in it the problem is. */
  readonly location: XmlLocation | undefined;
  constructor(code: StoreErrorCode, message: string, field?: string, location?: XmlLocation) {
    super(code, message);
    this.name = 'StoreError';
    this.field = field;
    this.location = location;
  }
}

export const notFound = (what: string, id: string | number): StoreError =>
  new StoreError(ErrorCode.STORE_NOT_FOUND, `${what} ${id} does not exist`);
export const conflict = (field: string, message: string): StoreError => new StoreError(ErrorCode.STORE_CONFLICT, message, field);
export const badReference = (field: string, message: string): StoreError => new StoreError(ErrorCode.STORE_BAD_REFERENCE, message, field);
export const invalid = (field: string, message: string, location?: XmlLocation): StoreError => new StoreError(ErrorCode.STORE_INVALID, message, field, location);
