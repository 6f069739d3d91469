// One catalog of Diamond's own error codes. Tests assert the code, never the message text.
// Protocol errors (Result-Code + Failed-AVP) are data, not these: see diameter/codec/validate.ts.

export const ErrorCode = {
  DICT_SYNTAX: 'DIAMOND_ERR_DICT_SYNTAX',
  DICT_SEMANTIC: 'DIAMOND_ERR_DICT_SEMANTIC',
  DICT_IO: 'DIAMOND_ERR_DICT_IO',
  FRAME_VERSION: 'DIAMOND_ERR_FRAME_VERSION',
  FRAME_LENGTH: 'DIAMOND_ERR_FRAME_LENGTH',
  FRAME_TOO_LARGE: 'DIAMOND_ERR_FRAME_TOO_LARGE',
  MESSAGE_TRUNCATED: 'DIAMOND_ERR_MESSAGE_TRUNCATED',
  AVP_LENGTH: 'DIAMOND_ERR_AVP_LENGTH',
  ENCODE_VALUE: 'DIAMOND_ERR_ENCODE_VALUE',
  UNKNOWN_AVP_NAME: 'DIAMOND_ERR_UNKNOWN_AVP_NAME',
  UNKNOWN_COMMAND: 'DIAMOND_ERR_UNKNOWN_COMMAND',
  CLI_INPUT: 'DIAMOND_ERR_CLI_INPUT',
  CONFIG_IO: 'DIAMOND_ERR_CONFIG_IO',
  CONFIG_SYNTAX: 'DIAMOND_ERR_CONFIG_SYNTAX',
  CONFIG_INVALID: 'DIAMOND_ERR_CONFIG_INVALID',
  CONFIG_UNKNOWN_KEY: 'DIAMOND_ERR_CONFIG_UNKNOWN_KEY',
  CONFIG_MISSING_FILE: 'DIAMOND_ERR_CONFIG_MISSING_FILE',
  IMPORT_SYNTAX: 'DIAMOND_ERR_IMPORT_SYNTAX',
  AUTH_BAD_LENGTH: 'DIAMOND_ERR_AUTH_BAD_LENGTH',
  AUTH_BAD_PARAMETER: 'DIAMOND_ERR_AUTH_BAD_PARAMETER',
  AUTH_SQN_EXHAUSTED: 'DIAMOND_ERR_AUTH_SQN_EXHAUSTED',
  /** `diamond replay`: the target refused the connection or the CER, or the connection failed. */
  REPLAY_PEER: 'DIAMOND_ERR_REPLAY_PEER',
  /** The node's traffic capture file (config `capture.file`) cannot be written. */
  CAPTURE_IO: 'DIAMOND_ERR_CAPTURE_IO',
  RULES_SYNTAX: 'DIAMOND_ERR_RULES_SYNTAX',
  RULES_IO: 'DIAMOND_ERR_RULES_IO',
  STORE_NOT_FOUND: 'DIAMOND_ERR_STORE_NOT_FOUND',
  STORE_CONFLICT: 'DIAMOND_ERR_STORE_CONFLICT',
  STORE_BAD_REFERENCE: 'DIAMOND_ERR_STORE_BAD_REFERENCE',
  STORE_INVALID: 'DIAMOND_ERR_STORE_INVALID',
  STORE_MIGRATION: 'DIAMOND_ERR_STORE_MIGRATION',
  API_VALIDATION: 'DIAMOND_ERR_API_VALIDATION',
  API_UNAUTHORIZED: 'DIAMOND_ERR_API_UNAUTHORIZED',
  SCTP_UNAVAILABLE: 'DIAMOND_ERR_SCTP_UNAVAILABLE',
  SCTP_SOCKET: 'DIAMOND_ERR_SCTP_SOCKET',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error of Diamond itself (bad input file, programmer error), with a stable code. */
export class DiamondError extends Error {
  readonly code: ErrorCode;
  /** Byte offset into the input, where the error is about bytes. */
  readonly offset: number | undefined;
  constructor(code: ErrorCode, message: string, offset?: number) {
    super(message);
    this.name = 'DiamondError';
    this.code = code;
    this.offset = offset;
  }
}

/** A position in an operator-edited text file (dictionary, rules, config). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** An error in an operator-edited file: FILE:LINE:COL: message. */
export class FileError extends Error {
  readonly code: ErrorCode;
  readonly pos: SourcePos;
  constructor(code: ErrorCode, pos: SourcePos, message: string) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${message}`);
    this.name = 'FileError';
    this.code = code;
    this.pos = pos;
  }
}
