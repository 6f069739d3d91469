// Parser for freeDiameter's own configuration file (freeDiameter.conf, libfdcore/fdd.l + fdd.y):
// `Key = value;` statements, `Flag;`, `#` comments, "strings" on one line, integers read like C's
// sscanf("%i") (010 is 8), `LoadExtension = "x.fdx" : "x.conf";`, `ConnectPeer = "id" { ... };`,
// `TLS_Cred = "cert", "key";`, `include "glob"`. Keywords are case-insensitive.
import { ErrorCode, FileError } from '../errors.js';

export interface FdPos {
  line: number;
  col: number;
}

export interface FdValue {
  kind: 'string' | 'integer';
  value: string | number;
  pos: FdPos;
}

export interface FdStatement {
  /** The keyword as written. */
  key: string;
  pos: FdPos;
  /** Values after '=' (several for TLS_Cred). */
  values: FdValue[];
  /** `: "conf"` of LoadExtension. */
  extConf: FdValue | undefined;
  /** `{ ... }` of ConnectPeer. */
  block: FdStatement[] | undefined;
  /** Source text of the statement, whitespace collapsed, for reports. */
  text: string;
}

type Token =
  | { t: 'ident'; v: string; pos: FdPos; off: number; end: number }
  | { t: 'string'; v: string; pos: FdPos; off: number; end: number }
  | { t: 'integer'; v: number; raw: string; pos: FdPos; off: number; end: number }
  | { t: 'punct'; v: string; pos: FdPos; off: number; end: number }
  | { t: 'eof'; v: ''; pos: FdPos; off: number; end: number };

/** C's sscanf("%i") on a run of digits, as fdd.l does: a leading 0 means octal, stopping at 8 or 9. */
export function parseCInteger(digits: string): number {
  if (digits.length > 1 && digits.startsWith('0')) {
    const m = /^[0-7]*/.exec(digits.slice(1))![0];
    return m === '' ? 0 : parseInt(m, 8);
  }
  return parseInt(digits, 10);
}

function tokenize(text: string, file: string, errors: FileError[]): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const pos = (off: number): FdPos => ({ line, col: off - lineStart + 1 });
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) {
        errors.push(new FileError(ErrorCode.IMPORT_SYNTAX, { file, ...pos(i) }, 'unterminated string (strings end on the same line)'));
        // Take the rest of the line as the string so that parsing goes on at the next line.
        const stop = nl < 0 ? text.length : nl;
        out.push({ t: 'string', v: text.slice(i + 1, stop), pos: pos(i), off: i, end: stop });
        i = stop;
        continue;
      }
      out.push({ t: 'string', v: text.slice(i + 1, end), pos: pos(i), off: i, end: end + 1 });
      i = end + 1;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(text.slice(i))![0];
      out.push({ t: 'integer', v: parseCInteger(m), raw: m, pos: pos(i), off: i, end: i + m.length });
      i += m.length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      out.push({ t: 'ident', v: m, pos: pos(i), off: i, end: i + m.length });
      i += m.length;
    } else if ('=,:;{}'.includes(ch)) {
      out.push({ t: 'punct', v: ch, pos: pos(i), off: i, end: i + 1 });
      i++;
    } else {
      errors.push(new FileError(ErrorCode.IMPORT_SYNTAX, { file, ...pos(i) }, `unexpected character ${JSON.stringify(ch)}`));
      i++;
    }
  }
  out.push({ t: 'eof', v: '', pos: pos(i), off: i, end: i });
  return out;
}

class SyntaxFailure extends Error {}

class Parser {
  private i = 0;
  /** Nesting of `{ }` at the current token, and where the last syntax error was. */
  private depth = 0;
  private failedAt = 0;
  private failedDepth = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly toks: Token[],
    readonly errors: FileError[],
  ) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.t !== 'eof') this.i++;
    return t;
  }
  private describe(t: Token): string {
    if (t.t === 'eof') return 'the end of the file';
    if (t.t === 'string') return `"${t.v}"`;
    if (t.t === 'integer') return t.raw;
    return `'${t.v}'`;
  }
  private fail(t: Token, expected: string): never {
    this.failedAt = this.toks.indexOf(t);
    this.failedDepth = this.depth;
    this.errors.push(new FileError(ErrorCode.IMPORT_SYNTAX, { file: this.file, ...t.pos }, `expected ${expected}, found ${this.describe(t)}`));
    throw new SyntaxFailure();
  }
  private punct(v: string, what = `'${v}'`): Token {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== v) this.fail(t, what);
    return t;
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }
  private value(): FdValue {
    const t = this.next();
    if (t.t === 'string') return { kind: 'string', value: t.v, pos: t.pos };
    if (t.t === 'integer') return { kind: 'integer', value: t.v, pos: t.pos };
    return this.fail(t, 'a "string" or an integer');
  }
  private textOf(from: number, to: number): string {
    return this.text.slice(from, to).replace(/#[^\n]*/g, '').replace(/\s+/g, ' ').trim();
  }

  /** One statement: KEY [= v {, v} [: "conf"]] [{ statements }] ; (or include "glob"). */
  private statement(): FdStatement {
    const key = this.next();
    if (key.t !== 'ident') this.fail(key, 'a keyword such as Identity, ConnectPeer or LoadExtension');
    const st: FdStatement = { key: key.v, pos: key.pos, values: [], extConf: undefined, block: undefined, text: '' };
    if (key.v.toLowerCase() === 'include') {
      // fdd.l: `include "glob"` has no '=' and no ';'.
      const t = this.next();
      if (t.t !== 'string') this.fail(t, 'a "file pattern" after include');
      st.values.push({ kind: 'string', value: t.v, pos: t.pos });
      st.text = this.textOf(key.off, t.end);
      return st;
    }
    if (this.isPunct('=')) {
      this.next();
      st.values.push(this.value());
      while (this.isPunct(',')) {
        this.next();
        st.values.push(this.value());
      }
      if (this.isPunct(':')) {
        this.next();
        const conf = this.value();
        if (conf.kind !== 'string') this.fail(this.toks[this.i - 1]!, 'a "configuration file" after \':\'');
        st.extConf = conf;
      }
    }
    if (this.isPunct('{')) {
      this.next();
      this.depth++;
      st.block = [];
      while (!this.isPunct('}')) {
        if (this.peek().t === 'eof') this.fail(this.peek(), "'}'");
        st.block.push(this.statement());
      }
      this.next();
      this.depth--;
    }
    const prev = this.toks[this.i - 1]!;
    if (!this.isPunct(';') && this.peek().pos.line > prev.pos.line) {
      // A forgotten ';' at the end of a line: report it there and read the next line as a new statement.
      const at = { line: prev.pos.line, col: prev.pos.col + (prev.end - prev.off) };
      this.errors.push(new FileError(ErrorCode.IMPORT_SYNTAX, { file: this.file, ...at }, `expected ';' after ${this.describe(prev)}`));
      st.text = this.textOf(key.off, prev.end);
      return st;
    }
    const end = this.punct(';', "';'");
    st.text = this.textOf(key.off, end.end);
    return st;
  }

  /** Parses the whole file; after a syntax error skips past the ';' that ends the top-level statement. */
  parseAll(): FdStatement[] {
    const out: FdStatement[] = [];
    while (this.peek().t !== 'eof') {
      try {
        out.push(this.statement());
      } catch (err) {
        if (!(err instanceof SyntaxFailure)) throw err;
        this.resync();
      }
    }
    return out;
  }

  private resync(): void {
    let depth = this.failedDepth;
    this.i = this.failedAt;
    this.depth = 0;
    for (let t = this.next(); t.t !== 'eof'; t = this.next()) {
      if (t.t !== 'punct') continue;
      if (t.v === '{') depth++;
      else if (t.v === '}') depth = Math.max(0, depth - 1);
      else if (t.v === ';' && depth === 0) return;
    }
  }
}

/** Parses freeDiameter.conf text into statements; syntax errors name FILE:LINE:COL. */
export function parseFreeDiameterConf(text: string, file: string): { statements: FdStatement[]; errors: FileError[] } {
  const errors: FileError[] = [];
  const toks = tokenize(text, file, errors);
  const parser = new Parser(text, file, toks, errors);
  const statements = parser.parseAll();
  errors.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  // One error per line: the first is the cause, later ones on the same line are its echoes.
  return { statements, errors: errors.filter((e, i) => i === 0 || errors[i - 1]!.pos.line !== e.pos.line) };
}
