// Tokens of rt_default rule files, with freeDiameter's lexer rules (rtd_conf.l) kept where
// operators can see them: `#` comments to end of line; "quoted" strings without escapes or
// newlines; ["regex"] with the bracket and quote adjacent; integers read like sscanf %i for
// digits (010 is 8, 08 is 0); keywords case-insensitive; and any other run of characters
// that are not space, `"`, `*`, `:`, `=`, `+` or `;` is one word, so `DEFAULT-5` and `5-2` are
// errors while `DEFAULT - 5`, `DEFAULT+5` and `+= -70` are fine.
import { ErrorCode, FileError, type SourcePos } from '../errors.js';

export type TokenKind = 'string' | 'regex' | 'int' | 'word' | '*' | ':' | '=' | '+' | '-' | ';' | 'eof';

export interface Token {
  kind: TokenKind;
  /** String/regex contents, the word (lower case), or the integer's digits as written. */
  text: string;
  /** Integer value (kind 'int'). */
  value: number;
  pos: SourcePos;
}

const SINGLE: Record<string, TokenKind> = { '*': '*', ':': ':', '=': '=', '+': '+', ';': ';' };
const WORD_END = new Set([' ', '\t', '\r', '\n', '"', '*', ':', '=', '+', ';']);

/** sscanf("%i") on an optionally signed digit string: a leading 0 reads octal digits only. */
export function scanInteger(s: string): number {
  const neg = s.startsWith('-');
  const d = neg ? s.slice(1) : s;
  let v: number;
  if (d.length > 1 && d[0] === '0') {
    const m = /^[0-7]*/.exec(d.slice(1))![0];
    v = m === '' ? 0 : parseInt(m, 8);
  } else {
    v = parseInt(d, 10);
  }
  return neg ? -v : v;
}

export function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): SourcePos => ({ file, line, col: at - lineStart + 1 });
  const fail = (at: number, msg: string): never => {
    throw new FileError(ErrorCode.RULES_SYNTAX, pos(at), msg);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const single = SINGLE[c];
    if (single) {
      out.push({ kind: single, text: c, value: 0, pos: pos(i) });
      i++;
      continue;
    }
    if (c === '"' || (c === '[' && text[i + 1] === '"')) {
      const regex = c === '[';
      const open = regex ? i + 1 : i;
      const close = text.indexOf('"', open + 1);
      const nl = text.indexOf('\n', open + 1);
      if (close < 0 || (nl >= 0 && nl < close)) fail(i, 'unterminated string: expected " before the end of the line');
      if (regex && text[close + 1] !== ']') fail(close + 1, 'expected ] right after the closing " of a ["regex"]');
      out.push({ kind: regex ? 'regex' : 'string', text: text.slice(open + 1, close), value: 0, pos: pos(i) });
      i = regex ? close + 2 : close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !WORD_END.has(text[j]!) && text[j] !== '#') j++;
    const w = text.slice(i, j);
    if (w === '-') out.push({ kind: '-', text: w, value: 0, pos: pos(i) });
    else if (/^-?[0-9]+$/.test(w)) out.push({ kind: 'int', text: w, value: scanInteger(w), pos: pos(i) });
    else if (/^[A-Za-z_][A-Za-z_]*$/.test(w)) out.push({ kind: 'word', text: w.toLowerCase(), value: 0, pos: pos(i) });
    else if (w.startsWith('[')) fail(i, 'a regex is written ["..."], with no space between [ and "');
    else fail(i, `unexpected '${w}' (write 'DEFAULT - 5' or 'DEFAULT+5', and negative scores as '+= -70')`);
    i = j;
  }
  out.push({ kind: 'eof', text: '', value: 0, pos: pos(i) });
  return out;
}
