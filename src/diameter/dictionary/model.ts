// The compiled dictionary model: AVP, command and grammar definitions (RFC 6733 §3.2, §4.1-§4.4).
// An AVP's identity is always (code, vendor-id).
import type { SourcePos } from '../../errors.js';

/** RFC 6733 §4.2 basic and §4.3 derived types, plus 3GPP encodings carried in OctetString. */
export const AVP_TYPES = [
  'OctetString',
  'Integer32',
  'Integer64',
  'Unsigned32',
  'Unsigned64',
  'Float32',
  'Float64',
  'Grouped',
  'Address',
  'Time',
  'UTF8String',
  'DiameterIdentity',
  'DiameterURI',
  'Enumerated',
  'IPFilterRule',
  'QoSFilterRule',
  'TBCD',
  'PLMNId',
] as const;
export type AvpType = (typeof AVP_TYPES)[number];

/** AVP header flag bits (RFC 6733 §4.1). */
export const AvpFlag = { V: 0x80, M: 0x40, P: 0x20, RESERVED: 0x1f } as const;

export interface EnumName {
  name: string;
  /** Application of the file that defined the name; undefined for application-less files. */
  applicationId: number | undefined;
}

export interface AvpDef {
  readonly name: string;
  readonly code: number;
  readonly vendorId: number;
  /** Flag bits a sender sets (M/V/P). */
  readonly flags: number;
  readonly type: AvpType;
  /** Enum value -> names (several files may name one value). */
  readonly enumNames: Map<number, EnumName[]>;
  readonly enumValues: Map<string, number>;
  grammar: Grammar | undefined;
  readonly pos: SourcePos;
}

export type RuleKind = 'fixed' | 'required' | 'optional';

export interface GrammarRule {
  /** AVP name, or 'AVP' for the wildcard. */
  readonly name: string;
  readonly kind: RuleKind;
  readonly min: number;
  /** Infinity when unbounded. */
  readonly max: number;
  /** Resolved definition; undefined for the 'AVP' wildcard. */
  def: AvpDef | undefined;
  readonly pos: SourcePos;
}

export interface Grammar {
  readonly rules: GrammarRule[];
  /** `* [ AVP ]` present: other AVPs are allowed. */
  readonly anyAvp: boolean;
}

export interface MessageDef {
  /** Short name, e.g. ULR. */
  readonly name: string;
  readonly commandCode: number;
  readonly applicationId: number;
  readonly request: boolean;
  readonly proxiable: boolean;
  readonly error: boolean;
  readonly grammar: Grammar;
  readonly pos: SourcePos;
}

export interface CommandDef {
  readonly code: number;
  /** Long name, e.g. Update-Location. */
  readonly name: string;
  readonly applicationId: number;
  readonly requestName: string;
  readonly answerName: string;
  request: MessageDef | undefined;
  answer: MessageDef | undefined;
}

export interface ApplicationDef {
  readonly id: number;
  readonly name: string;
  readonly file: string;
}
