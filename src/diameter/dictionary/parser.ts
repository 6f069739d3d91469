// Parser for Diamond's dictionary text format (docs/dictionary-format.md). Grammars use the
// Command Code Format of RFC 6733 §3.2 (messages) and §4.4 (Grouped AVPs).
// The parser only reads syntax; compile.ts resolves names across files.
import { ErrorCode, FileError, type SourcePos } from '../../errors.js';
import { AVP_TYPES, type AvpType, type RuleKind } from './model.js';

export interface AvpRow {
  name: string;
  code: number;
  flags: string;
  /** '-' for none, else a number or vendor name. */
  vendor: string;
  type: AvpType;
  pos: SourcePos;
}

export interface EnumBlock {
  avpName: string;
  values: { name: string; value: number; pos: SourcePos }[];
  pos: SourcePos;
}

export interface CommandRow {
  code: number;
  name: string;
  requestName: string;
  answerName: string;
  pos: SourcePos;
}

export interface RuleAst {
  name: string;
  kind: RuleKind;
  min: number;
  max: number;
  pos: SourcePos;
}

export interface GroupedAst {
  name: string;
  code: number;
  vendorId: number | undefined;
  rules: RuleAst[];
  pos: SourcePos;
}

export interface MessageAst {
  name: string;
  code: number;
  request: boolean;
  proxiable: boolean;
  error: boolean;
  applicationId: number | undefined;
  rules: RuleAst[];
  pos: SourcePos;
}

export interface DictFileAst {
  path: string;
  name: string | undefined;
  application: { id: number; name: string; pos: SourcePos } | undefined;
  vendors: Map<string, number>;
  inherits: string[];
  avps: AvpRow[];
  enums: EnumBlock[];
  commands: CommandRow[];
  grouped: GroupedAst[];
  messages: MessageAst[];
}

export interface ParseResult {
  ast: DictFileAst;
  errors: FileError[];
}

type Section = 'none' | 'avp' | 'enum' | 'commands' | 'grouped' | 'messages';

// Names may start with a digit (3GPP-IMSI) but are never all digits, so they stay apart from codes.
const NAME = /^(?!\d+$)[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TYPES = new Set<string>(AVP_TYPES);
const FLAG_SET = /^(-|[MVP]{1,3})$/;
// <qualifier> <open> NAME <close>; RFC 6733 §3.2: qual = [min] "*" [max]
const RULE = /^(\d*)(\*?)(\d*)\s*([<{[])\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*([>}\]])$/;
const CLOSER: Record<string, string> = { '<': '>', '{': '}', '[': ']' };
const KIND: Record<string, RuleKind> = { '<': 'fixed', '{': 'required', '[': 'optional' };

/** Parses a non-negative integer in decimal or 0x-hex; undefined when not one. */
function parseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  return undefined;
}

export function parseDictionary(text: string, path: string): ParseResult {
  const errors: FileError[] = [];
  const ast: DictFileAst = {
    path,
    name: undefined,
    application: undefined,
    vendors: new Map(),
    inherits: [],
    avps: [],
    enums: [],
    commands: [],
    grouped: [],
    messages: [],
  };
  let section: Section = 'none';
  let currentEnum: EnumBlock | undefined;
  let currentRules: RuleAst[] | undefined;

  const fail = (pos: SourcePos, message: string): void => {
    errors.push(new FileError(ErrorCode.DICT_SYNTAX, pos, message));
  };

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const col = line.length - line.trimStart().length + 1;
    const pos: SourcePos = { file: path, line: i + 1, col };
    const words = trimmed.split(/\s+/);
    const head = words[0] ?? '';
    // Column of the n-th word, for precise error positions.
    const colOf = (n: number): number => {
      let at = col - 1;
      for (let w = 0; w < n; w++) at = line.indexOf(words[w] ?? '', at) + (words[w] ?? '').length;
      return line.indexOf(words[n] ?? '', at) + 1;
    };
    const posOf = (n: number): SourcePos => ({ file: path, line: i + 1, col: colOf(n) });

    if (head.startsWith('@')) {
      currentRules = undefined;
      currentEnum = undefined;
      switch (head) {
        case '@name':
          if (words.length !== 2 || !NAME.test(words[1] ?? '')) fail(pos, 'expected "@name NAME"');
          else ast.name = words[1];
          section = 'none';
          break;
        case '@application': {
          const id = parseNumber(words[1] ?? '');
          if (words.length !== 3 || id === undefined || !NAME.test(words[2] ?? '')) {
            fail(pos, 'expected "@application ID NAME"');
          } else ast.application = { id, name: words[2] ?? '', pos };
          section = 'none';
          break;
        }
        case '@vendor': {
          const id = parseNumber(words[1] ?? '');
          if (words.length !== 3 || id === undefined || !NAME.test(words[2] ?? '')) {
            fail(pos, 'expected "@vendor ID NAME"');
          } else ast.vendors.set(words[2] ?? '', id);
          section = 'none';
          break;
        }
        case '@inherits':
          if (words.length < 2) fail(pos, 'expected "@inherits NAME..."');
          ast.inherits.push(...words.slice(1));
          section = 'none';
          break;
        case '@avp':
        case '@commands':
        case '@grouped':
        case '@messages':
          if (words.length !== 1) fail(posOf(1), `unexpected text after ${head}`);
          section = head.slice(1) as Section;
          break;
        case '@enum':
          if (words.length !== 2 || !NAME.test(words[1] ?? '')) fail(pos, 'expected "@enum AVP-NAME"');
          else {
            currentEnum = { avpName: words[1] ?? '', values: [], pos };
            ast.enums.push(currentEnum);
          }
          section = 'enum';
          break;
        default:
          fail(pos, `unknown directive ${head}; expected @name, @application, @vendor, @inherits, @avp, @enum, @commands, @grouped or @messages`);
      }
      continue;
    }

    switch (section) {
      case 'none':
        fail(pos, 'text outside a section; expected a directive such as @avp');
        break;
      case 'avp': {
        if (words.length !== 5) {
          fail(pos, `expected 5 columns "NAME CODE FLAGS VENDOR TYPE", found ${words.length}`);
          break;
        }
        const [name, codeText, flags, vendor, type] = words as [string, string, string, string, string];
        const code = parseNumber(codeText);
        if (!NAME.test(name)) fail(posOf(0), `invalid AVP name "${name}"`);
        else if (code === undefined || code > 0xffffffff) fail(posOf(1), `expected an AVP code, found "${codeText}"`);
        else if (!FLAG_SET.test(flags)) fail(posOf(2), `expected flags (M, V, P combination or -), found "${flags}"`);
        else if (!TYPES.has(type)) fail(posOf(4), `unknown type "${type}"; expected one of ${AVP_TYPES.join(', ')}`);
        else ast.avps.push({ name, code, flags, vendor, type: type as AvpType, pos });
        break;
      }
      case 'enum': {
        const value = words.length === 2 ? Number(words[1]) : Number.NaN;
        if (words.length !== 2 || !NAME.test(head) || !Number.isInteger(value) || !/^-?\d+$/.test(words[1] ?? '')) {
          fail(pos, 'expected "NAME VALUE" in an @enum block');
        } else currentEnum?.values.push({ name: head, value, pos });
        break;
      }
      case 'commands': {
        const code = parseNumber(head);
        if (words.length !== 4 || code === undefined || !words.slice(1).every((w) => NAME.test(w))) {
          fail(pos, 'expected "CODE NAME REQUEST-SHORT-NAME ANSWER-SHORT-NAME"');
        } else {
          const [, name, requestName, answerName] = words as [string, string, string, string];
          ast.commands.push({ code, name, requestName, answerName, pos });
        }
        break;
      }
      case 'grouped':
      case 'messages': {
        if (trimmed.includes('::=')) {
          currentRules = parseDefinitionHead(trimmed, pos, section, ast, fail);
          break;
        }
        if (!currentRules) {
          fail(pos, 'expected a definition "NAME ::= < ... Header: ... >"');
          break;
        }
        const rule = parseRule(trimmed.replace(/\s+/g, ' '), pos, fail);
        if (rule) currentRules.push(rule);
        break;
      }
    }
  }
  if (ast.name === undefined) {
    errors.push(new FileError(ErrorCode.DICT_SYNTAX, { file: path, line: 1, col: 1 }, 'missing "@name NAME"'));
  }
  return { ast, errors };
}

function parseRule(text: string, pos: SourcePos, fail: (p: SourcePos, m: string) => void): RuleAst | undefined {
  const compact = text.replace(/\s*\*\s*/, '*').replace(/^(\d+)\s+(?=[<{[])/, '$1');
  const m = RULE.exec(compact);
  if (!m) {
    fail(pos, `expected a rule such as "{ Origin-Host }", "[ User-Name ]" or "*[ AVP ]", found "${text}"`);
    return undefined;
  }
  const [, minText, star, maxText, open, name, close] = m as unknown as [string, string, string, string, string, string, string];
  if (CLOSER[open] !== close) {
    fail(pos, `bracket "${open}" closed by "${close}"; expected "${CLOSER[open]}"`);
    return undefined;
  }
  const kind = KIND[open] as RuleKind;
  let min: number;
  let max: number;
  if (star === '') {
    if (minText !== '' || maxText !== '') {
      fail(pos, 'a count needs "*", as in "2*5[ X ]"');
      return undefined;
    }
    min = kind === 'optional' ? 0 : 1;
    max = 1;
  } else {
    // RFC 6733 §3.2: default min is 0 for fixed and optional rules, 1 for required rules.
    min = minText === '' ? (kind === 'required' ? 1 : 0) : Number(minText);
    max = maxText === '' ? Number.POSITIVE_INFINITY : Number(maxText);
    if (kind === 'optional' && min !== 0) {
      fail(pos, 'an optional rule with a qualifier must have min 0 (RFC 6733 §3.2)');
      return undefined;
    }
    if (kind === 'required' && min < 1) {
      fail(pos, 'a required rule must have min at least 1 (RFC 6733 §3.2)');
      return undefined;
    }
    if (max < min) {
      fail(pos, `max ${max} is below min ${min}`);
      return undefined;
    }
  }
  return { name, kind, min, max, pos };
}

function parseDefinitionHead(
  text: string,
  pos: SourcePos,
  section: 'grouped' | 'messages',
  ast: DictFileAst,
  fail: (p: SourcePos, m: string) => void,
): RuleAst[] | undefined {
  const [left, right = ''] = text.split('::=', 2).map((s) => s.trim()) as [string, string?];
  const name = left.replace(/^<\s*/, '').replace(/\s*>$/, '');
  if (!NAME.test(name)) {
    fail(pos, `invalid definition name "${left}"`);
    return undefined;
  }
  const rules: RuleAst[] = [];
  if (section === 'grouped') {
    const m = /^<\s*AVP[ -]Header\s*:\s*(\d+)(?:\s*,?\s*(\d+))?\s*>$/i.exec(right);
    if (!m) {
      fail(pos, 'expected "< AVP Header: CODE [VENDOR-ID] >"');
      return undefined;
    }
    ast.grouped.push({
      name,
      code: Number(m[1]),
      vendorId: m[2] === undefined ? undefined : Number(m[2]),
      rules,
      pos,
    });
    return rules;
  }
  const m = /^<\s*Diameter[ -]Header\s*:\s*(.*?)\s*>$/i.exec(right);
  if (!m) {
    fail(pos, 'expected "< Diameter Header: CODE, [REQ,] [PXY,] [ERR,] [APPLICATION-ID] >"');
    return undefined;
  }
  const parts = (m[1] ?? '').split(',').map((s) => s.trim());
  const code = parseNumber(parts[0] ?? '');
  if (code === undefined) {
    fail(pos, `expected a command code, found "${parts[0] ?? ''}"`);
    return undefined;
  }
  const msg: MessageAst = {
    name,
    code,
    request: false,
    proxiable: false,
    error: false,
    applicationId: undefined,
    rules,
    pos,
  };
  for (const p of parts.slice(1)) {
    const upper = p.toUpperCase();
    if (upper === 'REQ') msg.request = true;
    else if (upper === 'PXY') msg.proxiable = true;
    else if (upper === 'ERR') msg.error = true;
    else if (parseNumber(p) !== undefined) msg.applicationId = parseNumber(p);
    else {
      fail(pos, `unexpected "${p}" in a Diameter Header; expected REQ, PXY, ERR or an application id`);
      return undefined;
    }
  }
  ast.messages.push(msg);
  return rules;
}
