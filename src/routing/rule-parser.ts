// Parser for rule files: freeDiameter rt_default's grammar (rtd_conf.y) exactly, plus Diamond's
// extensions (docs/routing.md). Every error is FILE:LINE:COL: what was expected.
//
//   rule      = criteria ":" action ";"
//   criteria  = "*" | ("oh"|"or"|"dh"|"dr"|"un"|"si") "=" tstring | ("app"|"cc") "=" int
//   action    = target "+" "=" expr [ "weight" "=" int ] | "answer" int [ qstring ]
//             | "set_realm" qstring
//   target    = tstring | "rlm" "=" tstring | "dh" "=" tstring
//   tstring   = qstring | ["regex"]
//   expr      = term { ("+"|"-") term } ;  term = int | constant
//   directive = "prefixes" qstring ";"      (an IMSI-prefix table file, see prefix lines below)
//   prefix-line = digits ":" ( target "+" "=" expr [ "weight" "=" int ] | "set_realm" qstring ) ";"
import { ErrorCode, FileError, type SourcePos } from '../errors.js';
import { compilePosixEre, PosixRegexError } from './posix-regex.js';
import { tokenize, type Token, type TokenKind } from './rule-lexer.js';
import {
  addPrefix,
  newPrefixTable,
  RULE_CONSTANTS,
  STRING_CRITERIA,
  type Criterion,
  type CriterionKey,
  type PrefixTable,
  type Rule,
  type RuleAction,
  type StringMatch,
  type Target,
} from './rule-set.js';

/** A directive naming another file (resolved by the loader relative to this file). */
export interface PrefixDirective {
  pos: SourcePos;
  path: string;
}

export interface ParsedRules {
  rules: Rule[];
  prefixFiles: PrefixDirective[];
}

class Cursor {
  i = 0;
  private readonly lines: string[];
  constructor(
    readonly toks: Token[],
    source: string,
  ) {
    this.lines = source.split('\n');
  }
  peek(): Token {
    return this.toks[this.i]!;
  }
  next(): Token {
    return this.toks[this.i++]!;
  }
  fail(t: Token, msg: string): never {
    const found = t.kind === 'eof' ? 'end of file' : t.kind === 'string' ? `"${t.text}"` : t.kind === 'regex' ? `["${t.text}"]` : `'${t.text}'`;
    throw new FileError(ErrorCode.RULES_SYNTAX, t.pos, `${msg}, found ${found}`);
  }
  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `expected ${what}`);
    return t;
  }
  /** Source text from token a to the end of token b, for explain output. */
  text(a: Token, b: Token): string {
    const line = this.lines[a.pos.line - 1]!;
    return (a.pos.line === b.pos.line ? line.slice(a.pos.col - 1, b.pos.col) : line.slice(a.pos.col - 1)).trim();
  }
}

function stringMatch(c: Cursor, t: Token): StringMatch {
  if (t.kind === 'string') return { kind: 'plain', text: t.text, lower: t.text.toLowerCase() };
  if (t.kind === 'regex') {
    try {
      return { kind: 'regex', text: t.text, re: compilePosixEre(t.text) };
    } catch (err) {
      const e = err as PosixRegexError;
      throw new FileError(ErrorCode.RULES_SYNTAX, { ...t.pos, col: t.pos.col + 2 + (e.index ?? 0) }, `bad regular expression: ${e.message}`);
    }
  }
  return c.fail(t, 'expected "string" or ["regex"]');
}

function criterion(c: Cursor): Criterion | undefined {
  const t = c.next();
  if (t.kind === '*') return undefined;
  if (t.kind !== 'word' || !([...STRING_CRITERIA, 'app', 'cc'] as string[]).includes(t.text)) {
    return c.fail(t, 'expected * or a criterion (oh=, or=, dh=, dr=, un=, si=, app=, cc=)');
  }
  c.expect('=', `= after ${t.text}`);
  const key = t.text as CriterionKey;
  if (key === 'app' || key === 'cc') {
    const v = c.expect('int', `an integer after ${key}=`);
    if (v.value < 0 || v.value > 0xffffffff) c.fail(v, 'expected an unsigned 32-bit integer');
    return { key, value: v.value };
  }
  return { key, match: stringMatch(c, c.next()) };
}

function target(c: Cursor): Target {
  const t = c.peek();
  if (t.kind === 'word' && (t.text === 'rlm' || t.text === 'dh')) {
    c.next();
    c.expect('=', `= after ${t.text}`);
    return { on: t.text === 'rlm' ? 'realm' : 'identity', match: stringMatch(c, c.next()) };
  }
  return { on: 'identity', match: stringMatch(c, c.next()) };
}

function term(c: Cursor): number {
  const t = c.next();
  if (t.kind === 'int') return t.value;
  if (t.kind === 'word' && RULE_CONSTANTS[t.text] !== undefined) return RULE_CONSTANTS[t.text]!;
  return c.fail(t, 'expected an integer or a score constant (NO_DELIVERY, DEFAULT, DEFAULT_REALM, REALM, REDIR_*, FINALDEST)');
}

function expr(c: Cursor): number {
  let v = term(c);
  for (;;) {
    const t = c.peek();
    if (t.kind === '+') {
      c.next();
      v += term(c);
    } else if (t.kind === '-') {
      c.next();
      v -= term(c);
    } else return v;
  }
}

/** `target += expr [weight = N]`, after the ':' of a rule or a prefix line. */
function scoreAction(c: Cursor): { target: Target; score: number; weight: number | undefined } {
  const tg = target(c);
  c.expect('+', "'+=' after the target");
  c.expect('=', "'+=' after the target (no space is needed, '-=' does not exist)");
  const score = expr(c);
  let weight: number | undefined;
  const w = c.peek();
  if (w.kind === 'word' && w.text === 'weight') {
    c.next();
    c.expect('=', '= after weight');
    const n = c.expect('int', 'a positive integer weight');
    if (n.value <= 0) c.fail(n, 'expected a positive integer weight');
    weight = n.value;
  }
  return { target: tg, score, weight };
}

function realmName(c: Cursor): string {
  const r = c.expect('string', 'a "realm" after set_realm');
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(r.text)) c.fail(r, 'expected a realm (a DNS name such as epc.mnc001.mcc001.3gppnetwork.org)');
  return r.text;
}

function action(c: Cursor): RuleAction {
  const t = c.peek();
  if (t.kind === 'word' && t.text === 'answer') {
    c.next();
    const rc = c.expect('int', 'a Result-Code after answer');
    if (rc.value < 1000 || rc.value > 5999) c.fail(rc, 'expected a Result-Code between 1000 and 5999');
    const m = c.peek();
    let message: string | undefined;
    if (m.kind === 'string') message = c.next().text;
    return { kind: 'answer', resultCode: rc.value, message };
  }
  if (t.kind === 'word' && t.text === 'set_realm') {
    c.next();
    return { kind: 'realm', realm: realmName(c) };
  }
  return { kind: 'score', ...scoreAction(c) };
}

/** Parses one rule file (no I/O: `prefixes` directives are returned for the loader). */
export function parseRules(text: string, file: string): ParsedRules {
  const c = new Cursor(tokenize(text, file), text);
  const rules: Rule[] = [];
  const prefixFiles: PrefixDirective[] = [];
  while (c.peek().kind !== 'eof') {
    const first = c.peek();
    if (first.kind === 'word' && first.text === 'prefixes') {
      c.next();
      const f = c.expect('string', 'a "file name" after prefixes');
      c.expect(';', "';' after the prefixes file name");
      prefixFiles.push({ pos: first.pos, path: f.text });
      continue;
    }
    const crit = criterion(c);
    c.expect(':', "':' after the criteria");
    const act = action(c);
    const end = c.expect(';', "';' at the end of the rule");
    rules.push({ pos: first.pos, text: c.text(first, end), criterion: crit, action: act });
  }
  return { rules, prefixFiles };
}

/** Parses an IMSI-prefix table: lines `PREFIX : target += score [weight=N] ;`. */
export function parsePrefixTable(text: string, file: string): PrefixTable {
  const c = new Cursor(tokenize(text, file), text);
  const table: PrefixTable = newPrefixTable(file);
  while (c.peek().kind !== 'eof') {
    const p = c.next();
    if (p.kind !== 'int' || p.text.startsWith('-')) c.fail(p, 'expected a digit prefix (e.g. 001012)');
    c.expect(':', "':' after the prefix");
    const w = c.peek();
    if (w.kind === 'word' && w.text === 'set_realm') {
      c.next();
      const realm = realmName(c);
      const end = c.expect(';', "';' at the end of the line");
      addPrefix(table, p.text, { pos: p.pos, text: c.text(p, end), realm });
      continue;
    }
    const a = scoreAction(c);
    const end = c.expect(';', "';' at the end of the line");
    addPrefix(table, p.text, { pos: p.pos, text: c.text(p, end), ...a });
  }
  return table;
}
