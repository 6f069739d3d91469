// TS 29.228 Annex E (CxDataType.xsd, Rel-7 on) — checks an iFC template before it is stored. The
// template is the XML that goes into <ServiceProfile> of every SAA/PPR User-Data (and Sh IFCs): one
// or more <InitialFilterCriteria>. A bad one would only show up as an S-CSCF refusing the profile,
// so it is refused at upload with the line and column and what the schema expects there.
//
// Well-formedness: fast-xml-parser's validator (it reports line:column). On top of it: no DOCTYPE
// (no entity declarations), no XML declaration or processing instruction (the template is inserted
// mid-document), only the predefined entities. Structure: the element sequences of the XSD types
// below, in their order, with their value ranges; Extension elements hold anything.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface IfcXmlProblem {
  /** 1-based, in the template as uploaded. */
  readonly line: number;
  readonly column: number;
  /** What is wrong and what was expected there. */
  readonly message: string;
}

interface TextType {
  readonly ok: (value: string) => boolean;
  readonly expected: string;
}
interface ComplexType {
  readonly name: string;
  readonly seq: readonly Particle[];
  /** Trailing <xs:any namespace="##other">: prefixed elements may follow the sequence. */
  readonly any?: boolean;
  /** tExtension and friends: any content. */
  readonly open?: boolean;
}
interface ElementParticle {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly type: TextType | ComplexType;
}
interface ChoiceParticle {
  readonly choice: readonly ElementParticle[];
}
type Particle = ElementParticle | ChoiceParticle;

const el = (name: string, type: TextType | ComplexType, min = 1, max = 1): ElementParticle => ({ name, min, max, type });
const trimmed = (ok: (v: string) => boolean, expected: string): TextType => ({ ok: (v) => ok(v.trim()), expected });
const int = (max: number, expected: string): TextType => trimmed((v) => /^\+?[0-9]{1,10}$/.test(v) && Number(v) <= max, expected);

// Simple types (Annex E table E.1/E.2); numbers and booleans are whitespace-collapsed as in XSD.
const tBool = trimmed((v) => /^(?:0|1|true|false)$/.test(v), '0, 1, true or false (tBool)');
const tPriority = int(2147483647, 'an integer ≥ 0 (tPriority)');
const tGroupId = int(2147483647, 'an integer ≥ 0 (tGroupID)');
const tDirectionOfRequest = int(4, '0 ORIGINATING_REGISTERED, 1 TERMINATING_REGISTERED, 2 TERMINATING_UNREGISTERED, 3 ORIGINATING_UNREGISTERED or 4 ORIGINATING_CDIV (tDirectionOfRequest)');
const tDefaultHandling = int(1, '0 SESSION_CONTINUED or 1 SESSION_TERMINATED (tDefaultHandling)');
const tProfilePartIndicator = int(1, '0 REGISTERED or 1 UNREGISTERED (tProfilePartIndicator)');
const tSipUrl = trimmed((v) => v !== '' && !/\s/.test(v), 'a SIP URI without spaces (tSIP_URL)');
// tString may be empty in the XSD; an empty method, header or URI never matches, so it is a mistake here.
const needed = trimmed((v) => v !== '', 'a non-empty string');
const anyText: TextType = { ok: () => true, expected: 'text' };

const tExtension: ComplexType = { name: 'Extension', seq: [], open: true };
const extension = el('Extension', tExtension, 0);
const tHeader: ComplexType = { name: 'SIPHeader', seq: [el('Header', needed), el('Content', anyText, 0), extension], any: true };
const tSessionDescription: ComplexType = { name: 'SessionDescription', seq: [el('Line', needed), el('Content', anyText, 0), extension], any: true };
const tSePoTri: ComplexType = {
  name: 'SPT',
  seq: [
    el('ConditionNegated', tBool, 0),
    el('Group', tGroupId, 1, Infinity),
    { choice: [el('RequestURI', needed), el('Method', needed), el('SIPHeader', tHeader), el('SessionCase', tDirectionOfRequest), el('SessionDescription', tSessionDescription)] },
    extension,
  ],
  any: true,
};
const tTrigger: ComplexType = { name: 'TriggerPoint', seq: [el('ConditionTypeCNF', tBool), el('SPT', tSePoTri, 0, Infinity), extension], any: true };
const tApplicationServer: ComplexType = {
  name: 'ApplicationServer',
  seq: [el('ServerName', tSipUrl), el('DefaultHandling', tDefaultHandling, 0), el('ServiceInfo', anyText, 0), extension],
  any: true,
};
const tInitialFilterCriteria: ComplexType = {
  name: 'InitialFilterCriteria',
  seq: [el('Priority', tPriority), el('TriggerPoint', tTrigger, 0), el('ApplicationServer', tApplicationServer), el('ProfilePartIndicator', tProfilePartIndicator, 0), extension],
  any: true,
};
const TEMPLATE: ComplexType = { name: 'template', seq: [el('InitialFilterCriteria', tInitialFilterCriteria, 1, Infinity)] };

/** "Priority, TriggerPoint?, ApplicationServer, ..." — the order a type wants, for messages. */
function describe(t: ComplexType): string {
  const one = (p: ElementParticle): string => p.name + (p.min === 0 ? (p.max > 1 ? '*' : '?') : p.max > 1 ? '+' : '');
  return t.seq.map((p) => ('choice' in p ? `one of (${p.choice.map((c) => c.name).join(' | ')})` : one(p))).join(', ');
}

// ---- the parsed tree (fast-xml-parser, preserveOrder + captureMetaData) ----

const WRAP = 'diamond-ifc-template';
const OPEN = `<${WRAP}>`;
const CLOSE = `</${WRAP}>`;
const META = XMLParser.getMetaDataSymbol() as unknown as string;

type RawNode = Record<string, unknown>;
interface Node {
  readonly name: string;
  /** Offset of '<' in the wrapped document. */
  readonly start: number;
  readonly end: number;
  readonly raw: RawNode[];
}

const parser = new XMLParser({
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

function nameOf(n: RawNode): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}

function toNode(n: RawNode): Node {
  const name = nameOf(n);
  const meta = (n as Record<string, { startIndex?: number; endIndex?: number } | undefined>)[META];
  const kids = n[name];
  return { name, start: meta?.startIndex ?? 0, end: meta?.endIndex ?? 0, raw: Array.isArray(kids) ? (kids as RawNode[]) : [] };
}

const isElement = (n: RawNode): boolean => {
  const k = nameOf(n);
  return k !== '#text' && k !== '#comment' && k !== '#cdata' && !k.startsWith('?');
};

function textOf(raw: readonly RawNode[]): string {
  let out = '';
  for (const n of raw) {
    const k = nameOf(n);
    if (k === '#text') out += String(n[k]);
    else if (k === '#cdata') out += textOf(n[k] as RawNode[]);
  }
  // Character references the parser leaves as they are.
  return out.replace(/&#(x[0-9a-fA-F]+|[0-9]+);/g, (_, ref: string) => String.fromCodePoint(ref[0] === 'x' ? parseInt(ref.slice(1), 16) : Number(ref)));
}

// ---- checking ----

class Checker {
  constructor(private readonly wrapped: string) {}

  /** Offset in the template as uploaded. */
  private at(wrappedOffset: number): number {
    return Math.max(0, wrappedOffset - OPEN.length);
  }

  private problem(wrappedOffset: number, where: string, message: string): Problem {
    return { offset: this.at(wrappedOffset), message: `${where}: ${message}` };
  }

  /** Where the end tag of `n` starts (for "expected X before </n>"). */
  private endTag(n: Node): number {
    const i = this.wrapped.lastIndexOf('</', n.end - 1);
    return i >= n.start ? i : n.start;
  }

  /** Offset of the first non-blank character of text inside `n` (approximate for mixed content). */
  private textStart(n: Node): number {
    const open = this.wrapped.indexOf('>', n.start) + 1;
    let i = open;
    while (i < n.end) {
      if (this.wrapped.startsWith('<!--', i)) i = this.wrapped.indexOf('-->', i) + 3;
      else if (this.wrapped[i] === '<') i = this.wrapped.indexOf('>', i) + 1;
      else if (/\s/.test(this.wrapped[i]!)) i++;
      else return i;
    }
    return n.start;
  }

  complex(n: Node, type: ComplexType, where: string): Problem | undefined {
    if (type.open) return undefined;
    const shown = n.name === WRAP ? 'the template' : `<${n.name}>`;
    if (textOf(n.raw).trim() !== '') return this.problem(this.textStart(n), where, `text is not allowed directly in ${shown}; expected elements: ${describe(type)}`);
    const kids = n.raw.filter(isElement).map(toNode);
    const counts = new Map<string, number>();
    const path = (k: Node, p: ElementParticle): string => {
      const i = (counts.get(k.name) ?? 0) + 1;
      counts.set(k.name, i);
      const step = p.max > 1 ? `${k.name}[${i}]` : k.name;
      return where === TEMPLATE.name ? step : `${where} › ${step}`;
    };
    const order = `(${type.name}: ${describe(type)})`;
    const missing = (what: string, i: number): Problem => {
      const k = kids[i];
      return k ? this.problem(k.start, where, `expected ${what}, found <${k.name}> ${order}`) : this.problem(this.endTag(n), where, `expected ${what} before the end of ${shown} ${order}`);
    };
    let i = 0;
    for (const p of type.seq) {
      if ('choice' in p) {
        const k = kids[i];
        const alt = k ? p.choice.find((c) => c.name === k.name) : undefined;
        if (!k || !alt) return missing(`one of ${p.choice.map((c) => `<${c.name}>`).join(', ')}`, i);
        const bad = this.element(k, alt, path(k, alt));
        if (bad) return bad;
        i++;
        continue;
      }
      let seen = 0;
      while (seen < p.max && kids[i]?.name === p.name) {
        const k = kids[i]!;
        const bad = this.element(k, p, path(k, p));
        if (bad) return bad;
        i++;
        seen++;
      }
      if (seen < p.min) return missing(`<${p.name}>`, i);
    }
    for (; i < kids.length; i++) {
      const k = kids[i]!;
      if (type.any && k.name.includes(':')) continue;
      const known = type.seq.some((p) => ('choice' in p ? p.choice.some((c) => c.name === k.name) : p.name === k.name));
      const why = known ? `<${k.name}> is out of order or repeated` : `unknown element <${k.name}>`;
      return this.problem(k.start, where, `${why}; expected ${order}`);
    }
    return undefined;
  }

  private element(k: Node, p: ElementParticle, where: string): Problem | undefined {
    if ('seq' in p.type) return this.complex(k, p.type, where);
    const child = k.raw.find(isElement);
    if (child) return this.problem(toNode(child).start, where, `<${k.name}> holds text only (${p.type.expected}), found <${nameOf(child)}>`);
    const value = textOf(k.raw);
    if (!p.type.ok(value)) {
      const shown = value.trim().length > 40 ? `${value.trim().slice(0, 40)}…` : value.trim();
      return this.problem(k.start, where, `<${k.name}> must be ${p.type.expected}, found "${shown}"`);
    }
    return undefined;
  }
}

interface Problem {
  readonly offset: number;
  readonly message: string;
}

function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** What the template may not contain even when well-formed (comments and CDATA blanked first). */
function forbidden(xml: string): Problem | undefined {
  const blank = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => ' '.repeat(m.length));
  const decl = /<!/.exec(blank);
  if (decl) return { offset: decl.index, message: 'a DOCTYPE or other declaration is not allowed (no entity declarations); expected <InitialFilterCriteria> elements only' };
  const pi = /<\?/.exec(blank);
  if (pi) {
    return {
      offset: pi.index,
      message: 'an XML declaration or processing instruction is not allowed: the template is inserted inside <ServiceProfile>; expected <InitialFilterCriteria> elements only',
    };
  }
  const amp = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.exec(blank);
  if (amp) return { offset: amp.index, message: "expected &lt; &gt; &amp; &quot; &apos; or a character reference; a literal '&' is written &amp;" };
  return undefined;
}

/**
 * Checks an iFC template: well-formed XML holding one or more <InitialFilterCriteria> of TS 29.228
 * Annex E. Returns the first problem, or undefined when the template is good.
 */
export function checkIfcXml(xml: string): IfcXmlProblem | undefined {
  const wrapped = `${OPEN}${xml}${CLOSE}`;
  const valid = XMLValidator.validate(wrapped);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    // The wrapper shifts line 1 by its length, in the position and in the message's own references.
    const fix = (l: number, c: number): number => (l === 1 ? Math.max(1, c - OPEN.length) : c);
    const message = msg
      .replace(/line (\d+), col (\d+)/g, (_, l: string, c: string) => `line ${l}, column ${fix(Number(l), Number(c))}`)
      .replace(`closing tag '${WRAP}'`, 'the end of the template');
    return { line, column: fix(line, col), message: `not well-formed XML: ${message}` };
  }
  const bad = forbidden(xml) ?? structure(wrapped);
  if (!bad) return undefined;
  return { ...lineColumn(xml, bad.offset), message: bad.message };
}

function structure(wrapped: string): Problem | undefined {
  let parsed: RawNode[];
  try {
    parsed = parser.parse(wrapped) as RawNode[];
  } catch (err) {
    // The parser's own limits (nesting beyond 100 elements): no position to give.
    return { offset: 0, message: `cannot be read: ${(err as Error).message}; expected <InitialFilterCriteria> elements as TS 29.228 Annex E nests them` };
  }
  const top = parsed.filter(isElement);
  const root = top[0] ? toNode(top[0]) : undefined;
  if (!root || root.name !== WRAP || top.length !== 1) {
    return { offset: Math.max(0, (root?.end ?? OPEN.length) - OPEN.length - CLOSE.length), message: 'unbalanced end tag; expected <InitialFilterCriteria> elements only' };
  }
  return new Checker(wrapped).complex(root, TEMPLATE, TEMPLATE.name);
}
