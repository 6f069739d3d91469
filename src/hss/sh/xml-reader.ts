// A small, strict XML reader for the Sh-Data an AS sends in PUR (TS 29.328 Annex D). It builds an
// element tree with each element's text and the offsets of its inner markup, so ServiceData can be
// stored exactly as the AS wrote it. Not a general parser: no DTDs, no external entities
// (which is also why it is safe on untrusted input). Errors are data: { error, offset }.

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  readonly name: string;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
  /** Offsets of the inner content in the source: source.slice(innerStart, innerEnd). */
  readonly innerStart: number;
  innerEnd: number;
}

export type XmlResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly error: string; readonly offset: number };

const NAME = /[A-Za-z_][\w.:-]*/y;

/** The name starting at `i`, or '' (sticky regex: no copy of the rest of the document per tag). */
function nameAt(src: string, i: number): string {
  NAME.lastIndex = i;
  return NAME.exec(src)?.[0] ?? '';
}
const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string | undefined {
  let bad = false;
  const out = s.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) bad = true;
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16) || 0xfffd);
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10) || 0xfffd);
    const e = ENTITY[name];
    if (e === undefined) bad = true;
    return e ?? '';
  });
  return bad ? undefined : out;
}

export function readXml(src: string): XmlResult {
  const fail = (error: string, offset: number): XmlResult => ({ ok: false, error, offset });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? src.length : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (!top) {
        if (raw.trim() !== '') return fail('text outside the root element', i);
      } else {
        const t = decodeEntities(raw);
        if (t === undefined) return fail('bad entity reference', i);
        top.text += t;
      }
    }
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<?', i)) {
      const e = src.indexOf('?>', i);
      if (e < 0) return fail('unterminated processing instruction', i);
      i = e + 2;
    } else if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i);
      if (e < 0) return fail('unterminated comment', i);
      i = e + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const e = src.indexOf(']]>', i);
      const top = stack[stack.length - 1];
      if (e < 0 || !top) return fail('bad CDATA section', i);
      top.text += src.slice(i + 9, e);
      i = e + 3;
    } else if (src.startsWith('<!', i)) {
      return fail('DOCTYPE and declarations are not accepted', i);
    } else if (src.startsWith('</', i)) {
      const close = nameAt(src, i + 2);
      const top = stack.pop();
      if (!top || local(close) !== top.name) return fail(`unexpected </${close}>`, i);
      top.innerEnd = i;
      const gt = src.indexOf('>', i);
      if (gt < 0 || src.slice(i + 2 + close.length, gt).trim() !== '') return fail('bad end tag', i);
      i = gt + 1;
    } else {
      const name = nameAt(src, i + 1);
      if (!name) return fail('bad start tag', i);
      const end = tagEnd(src, i + 1 + name.length);
      if (end < 0) return fail(`bad attributes in <${name}>`, i);
      const selfClosing = src[end - 1] === '/';
      const el: XmlElement = { name: local(name), children: [], text: '', innerStart: end + 1, innerEnd: end + 1 };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) return fail('more than one root element', i);
      else root = el;
      if (!selfClosing) stack.push(el);
      i = end + 1;
    }
  }
  if (stack.length) return fail(`<${stack[stack.length - 1]!.name}> is not closed`, src.length);
  if (!root) return fail('no root element', 0);
  return { ok: true, root };
}

const local = (n: string): string => n.slice(n.indexOf(':') + 1);

/** Index of the '>' ending a start tag whose attributes begin at `i`; -1 if malformed. */
function tagEnd(src: string, i: number): number {
  const attr = /\s+[A-Za-z_][\w.:-]*\s*=\s*("[^"<]*"|'[^'<]*')/y;
  for (;;) {
    attr.lastIndex = i;
    const m = attr.exec(src);
    if (!m) break;
    i = attr.lastIndex;
  }
  while (/\s/.test(src[i] ?? '')) i++;
  if (src[i] === '>') return i;
  if (src[i] === '/' && src[i + 1] === '>') return i + 1;
  return -1;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
