// Builders for AVPs and messages by dictionary name, for answers and requests the node makes.
import { DiamondError, ErrorCode } from '../../errors.js';
import type { Dictionary } from '../dictionary/dictionary.js';
import type { AvpDef } from '../dictionary/model.js';
import { type Avp, type AvpValue, CmdFlag, DIAMETER_VERSION, type Message } from './message.js';

/** An AVP by name: a typed value, or children for a Grouped AVP. Flags come from the dictionary. */
export function avp(dict: Dictionary, name: string, value: AvpValue | Avp[]): Avp {
  const def = dict.avpByName(name);
  if (!def) throw new DiamondError(ErrorCode.UNKNOWN_AVP_NAME, `no AVP named "${name}" in the dictionary`);
  return avpOf(def, value);
}

export function avpOf(def: AvpDef, value: AvpValue | Avp[]): Avp {
  const grouped = Array.isArray(value);
  if (grouped !== (def.type === 'Grouped')) {
    throw new DiamondError(ErrorCode.ENCODE_VALUE, `AVP ${def.name} is ${def.type}: ${grouped ? 'children given' : 'a value given'}`);
  }
  return {
    code: def.code,
    vendorId: def.vendorId,
    flags: def.flags,
    def,
    value: grouped ? undefined : value,
    avps: grouped ? value : undefined,
    data: undefined,
  };
}

/** Value of an Enumerated AVP by its dictionary name, e.g. enumValue(dict, 'RAT-Type', 'EUTRAN'). */
export function enumValue(dict: Dictionary, avpName: string, valueName: string): number {
  const v = dict.avpByName(avpName)?.enumValues.get(valueName);
  if (v === undefined) throw new DiamondError(ErrorCode.UNKNOWN_AVP_NAME, `no value ${valueName} for AVP ${avpName}`);
  return v;
}

export interface MessageIds {
  hopByHopId: number;
  endToEndId: number;
}

/** A request or answer by short name (ULR, CEA); flags R and P follow its definition. */
export function message(dict: Dictionary, name: string, avps: Avp[], ids: MessageIds, applicationId?: number): Message {
  const def = dict.messageByName(name, applicationId);
  if (!def) throw new DiamondError(ErrorCode.UNKNOWN_COMMAND, `no message named "${name}"${applicationId === undefined ? '' : ` in application ${applicationId}`}`);
  return {
    version: DIAMETER_VERSION,
    flags: (def.request ? CmdFlag.R : 0) | (def.proxiable ? CmdFlag.P : 0),
    commandCode: def.commandCode,
    applicationId: def.applicationId,
    hopByHopId: ids.hopByHopId,
    endToEndId: ids.endToEndId,
    avps,
  };
}
