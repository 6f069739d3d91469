// Full decode of a Diameter message into a typed tree by dictionary (RFC 6733 §3, §4).
// Problems are collected as data (Result-Code, offset, offending AVP), never thrown.
import type { Dictionary } from '../dictionary/dictionary.js';
import { AvpFlag } from '../dictionary/model.js';
import { Result } from '../dictionary/generated/constants.js';
import { type Avp, DIAMETER_VERSION, HEADER_LENGTH, type Message } from './message.js';
import { BAD_LENGTH, BAD_VALUE, RAW_ONLY, decodeValue } from './value-codec.js';

export interface CodecIssue {
  resultCode: number;
  /** Byte offset of the problem in the message. */
  offset: number;
  message: string;
  /** The offending AVP, as far as it could be read (for Failed-AVP). */
  avp: Avp | undefined;
  /** Grouped AVPs that enclose it, outermost first. */
  parents: Avp[];
}

export interface DecodeResult {
  message: Message | undefined;
  issues: CodecIssue[];
}

/** Grouped AVPs nested deeper than this are kept as raw data (guards the stack). */
export const MAX_GROUP_DEPTH = 16;

export function decodeMessage(buf: Buffer, dict: Dictionary): DecodeResult {
  const issues: CodecIssue[] = [];
  const issue = (resultCode: number, offset: number, message: string): DecodeResult => {
    issues.push({ resultCode, offset, message, avp: undefined, parents: [] });
    return { message: undefined, issues };
  };
  if (buf.length < HEADER_LENGTH) {
    return issue(Result.DIAMETER_INVALID_MESSAGE_LENGTH, buf.length, `truncated header: ${buf.length} bytes, need ${HEADER_LENGTH}`);
  }
  const version = buf[0] as number;
  if (version !== DIAMETER_VERSION) {
    return issue(Result.DIAMETER_UNSUPPORTED_VERSION, 0, `unsupported version ${version}, expected 1`);
  }
  const length = buf.readUIntBE(1, 3);
  if (length < HEADER_LENGTH) {
    return issue(Result.DIAMETER_INVALID_MESSAGE_LENGTH, 1, `message length ${length} is below the header size ${HEADER_LENGTH}`);
  }
  if (length > buf.length) {
    return issue(Result.DIAMETER_INVALID_MESSAGE_LENGTH, buf.length, `truncated message: length field says ${length} bytes, only ${buf.length} present`);
  }
  if (length % 4 !== 0) {
    issues.push({
      resultCode: Result.DIAMETER_INVALID_MESSAGE_LENGTH,
      offset: 1,
      message: `message length ${length} is not a multiple of 4`,
      avp: undefined,
      parents: [],
    });
  }
  const message: Message = {
    version,
    flags: buf[4] as number,
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    hopByHopId: buf.readUInt32BE(12),
    endToEndId: buf.readUInt32BE(16),
    avps: decodeAvps(buf, HEADER_LENGTH, length, dict, issues, [], 0),
  };
  return { message, issues };
}

/** Decodes the AVPs in buf[start, end). */
export function decodeAvps(
  buf: Buffer,
  start: number,
  end: number,
  dict: Dictionary,
  issues: CodecIssue[],
  parents: Avp[],
  depth: number,
): Avp[] {
  const out: Avp[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) {
      // RFC 6733 §7.1.5 (5014): pad an incomplete header with zeros to the minimum size.
      const header = Buffer.alloc(8);
      buf.copy(header, 0, pos, end);
      const avp = rawAvp(header.readUInt32BE(0), 0, header[4] as number, Buffer.alloc(0));
      issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_LENGTH, offset: pos, message: `AVP header truncated: ${end - pos} bytes left, need 8`, avp, parents });
      break;
    }
    const code = buf.readUInt32BE(pos);
    const flags = buf[pos + 4] as number;
    const length = ((buf[pos + 5] as number) << 16) | ((buf[pos + 6] as number) << 8) | (buf[pos + 7] as number);
    const hasVendor = (flags & AvpFlag.V) !== 0;
    const headerLength = hasVendor ? 12 : 8;
    const vendorId = hasVendor && end - pos >= 12 ? buf.readUInt32BE(pos + 8) : 0;
    if (length < headerLength || pos + length > end) {
      const def = dict.avp(code, vendorId);
      const avp = rawAvp(code, vendorId, flags, Buffer.alloc(minimumDataLength(def?.type)));
      avp.def = def;
      const why = length < headerLength ? `below its header size ${headerLength}` : `past the end of its container at ${end}`;
      issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_LENGTH, offset: pos + 5, message: `AVP ${def?.name ?? code} length ${length} runs ${why}`, avp, parents });
      break;
    }
    const dataStart = pos + headerLength;
    const dataEnd = pos + length;
    const def = dict.avp(code, vendorId);
    const avp: Avp = { code, vendorId, flags, def, value: undefined, avps: undefined, data: undefined };
    if (def === undefined) {
      avp.data = buf.subarray(dataStart, dataEnd);
    } else if (def.type === 'Grouped') {
      if (depth >= MAX_GROUP_DEPTH) {
        avp.data = buf.subarray(dataStart, dataEnd);
        issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_VALUE, offset: pos, message: `Grouped AVPs nested deeper than ${MAX_GROUP_DEPTH}`, avp, parents });
      } else {
        avp.avps = decodeAvps(buf, dataStart, dataEnd, dict, issues, [...parents, avp], depth + 1);
      }
    } else {
      const v = decodeValue(def.type, buf, dataStart, dataEnd);
      if (v === BAD_LENGTH || v === BAD_VALUE || v === RAW_ONLY) {
        avp.data = buf.subarray(dataStart, dataEnd);
        if (v === BAD_LENGTH) {
          issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_LENGTH, offset: pos + 5, message: `AVP ${def.name} (${def.type}) has invalid data length ${dataEnd - dataStart}`, avp, parents });
        } else if (v === BAD_VALUE) {
          issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_VALUE, offset: dataStart, message: `AVP ${def.name} has an invalid ${def.type} value`, avp, parents });
        }
      } else {
        avp.value = v;
      }
    }
    out.push(avp);
    const next = pos + ((length + 3) & ~3);
    if (next > end) {
      issues.push({ resultCode: Result.DIAMETER_INVALID_AVP_LENGTH, offset: pos + 5, message: `AVP ${def?.name ?? code} is missing its padding at the end of its container`, avp, parents });
      break;
    }
    pos = next;
  }
  return out;
}

function rawAvp(code: number, vendorId: number, flags: number, data: Buffer): Avp {
  return { code, vendorId, flags, def: undefined, value: undefined, avps: undefined, data };
}

/** Minimum data size of a type, for the zero-filled Failed-AVP of RFC 6733 §7.1.5 / §7.5. */
export function minimumDataLength(type: string | undefined): number {
  switch (type) {
    case 'Integer32':
    case 'Unsigned32':
    case 'Float32':
    case 'Enumerated':
    case 'Time':
      return 4;
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      return 8;
    case 'Address':
      return 6;
    case 'PLMNId':
      return 3;
    default:
      return 0;
  }
}
