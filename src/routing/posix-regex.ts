// POSIX extended regular expressions (IEEE Std 1003.1 §9.4, glibc regcomp with
// REG_EXTENDED|REG_NOSUB) compiled to JavaScript RegExp, as freeDiameter's rt_default uses them:
// case-sensitive, unanchored search, match/no-match only. Where the two dialects differ, the
// translation keeps the POSIX meaning:
//   - bracket expressions: a leading `]` is literal, `\` is literal, [:class:], [.c.] and [=c=];
//   - `\d`, `\n`, ... are not JS escapes but literal characters (glibc keeps only the GNU word
//     operators \w \W \s \S \b \B \< \> \` \' and back-references \1-\9);
//   - `.` also matches a newline (no REG_NEWLINE);
//   - a quantifier after a quantifier repeats the repeated atom (`a+?` is `(a+)?`, not lazy);
//   - `*` or `+` or `?` with nothing before it is a literal character (glibc), `(?` is an error.
// Search semantics (leftmost-longest vs leftmost-first) do not matter with REG_NOSUB.

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
  word: '0-9A-Za-z_',
};

const GNU_ESCAPES: Record<string, string> = {
  w: '\\w',
  W: '\\W',
  s: '\\s',
  S: '\\S',
  b: '\\b',
  B: '\\B',
  '<': '\\b(?=\\w)',
  '>': '\\b(?<=\\w)',
  '`': '^',
  "'": '$',
};

/** A POSIX ERE that cannot be compiled; `index` is the 0-based offset in the pattern. */
export class PosixRegexError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.index = index;
  }
}

function escapeJs(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
  return c === '\\' || c === ']' || c === '[' || c === '^' || c === '-' ? `\\${c}` : c;
}

/** Translates one bracket expression starting at `[`; returns the JS class and the next index. */
function bracket(p: string, start: number): { js: string; next: number } {
  let i = start + 1;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  while (i < p.length) {
    const c = p[i]!;
    if (c === ']' && !first) return { js: `${out}]`, next: i + 1 };
    first = false;
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1]!;
      const end = p.indexOf(`${kind}]`, i + 2);
      if (end < 0) throw new PosixRegexError(`unterminated [${kind} in bracket expression`, i);
      const name = p.slice(i + 2, end);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new PosixRegexError(`unknown character class [:${name}:]`, i);
        out += cls;
      } else {
        if ([...name].length !== 1) throw new PosixRegexError(`unsupported collating element [${kind}${name}${kind}]`, i);
        out += escapeInClass(name);
      }
      i = end + 2;
      continue;
    }
    // A '-' keeps its range meaning between two characters; escaping the ends is enough.
    out += c === '-' ? '-' : escapeInClass(c);
    i++;
  }
  throw new PosixRegexError('unterminated bracket expression: expected ]', start);
}

/** Compiles a POSIX ERE to an equivalent JavaScript RegExp for search (match/no-match). */
export function compilePosixEre(pattern: string): RegExp {
  let out = '';
  // Start (in `out`) of the last complete atom, for wrapping repeated quantifiers; -1: none.
  let atomStart = -1;
  let quantified = false;
  const groups: number[] = [];
  let i = 0;
  const atom = (js: string): void => {
    atomStart = out.length;
    out += js;
    quantified = false;
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    switch (c) {
      case '\\': {
        const n = pattern[i + 1];
        if (n === undefined) throw new PosixRegexError('trailing backslash', i);
        if (n >= '1' && n <= '9') atom(`\\${n}`);
        else if (GNU_ESCAPES[n] !== undefined) atom(GNU_ESCAPES[n]);
        else atom(escapeJs(n));
        i += 2;
        break;
      }
      case '[': {
        const b = bracket(pattern, i);
        atom(b.js);
        i = b.next;
        break;
      }
      case '.':
        atom('[^]');
        i++;
        break;
      case '(':
        if (pattern[i + 1] === '?') throw new PosixRegexError("'?' has nothing to repeat", i + 1);
        groups.push(out.length);
        out += '(';
        atomStart = -1;
        i++;
        break;
      case ')': {
        const open = groups.pop();
        if (open === undefined) {
          atom('\\)'); // an unmatched ')' is an ordinary character in ERE
        } else {
          out += ')';
          atomStart = open;
          quantified = false;
        }
        i++;
        break;
      }
      case '^':
      case '$':
        out += c; // anchors, anywhere in an ERE; a quantifier after one is literal (glibc)
        atomStart = -1;
        i++;
        break;
      case '|':
        out += '|';
        atomStart = -1;
        i++;
        break;
      case '*':
      case '+':
      case '?':
      case '{': {
        let q: string = c;
        let next = i + 1;
        if (c === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
          if (!m) {
            atom('\\{'); // not an interval: literal, as glibc reads it
            i++;
            break;
          }
          if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) throw new PosixRegexError('invalid interval: max below min', i);
          q = m[0];
          next = i + m[0].length;
        }
        if (atomStart < 0) {
          if (c === '{') throw new PosixRegexError('interval has nothing to repeat', i);
          atom(escapeJs(c));
          i++;
          break;
        }
        if (quantified) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
        out += q;
        quantified = true;
        i = next;
        break;
      }
      default:
        atom(escapeJs(c));
        i++;
    }
  }
  if (groups.length > 0) throw new PosixRegexError('unmatched ( : expected )', groups[groups.length - 1]!);
  try {
    return new RegExp(out, 's');
  } catch (err) {
    throw new PosixRegexError(`invalid regular expression: ${(err as Error).message}`, 0);
  }
}
