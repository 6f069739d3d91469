// Reads rule files and the IMSI-prefix tables they name into one RuleSet. Any error fails the
// whole load with FILE:LINE:COL, so a reload either takes every file or keeps the old rules.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, FileError, type SourcePos } from '../errors.js';
import { parsePrefixTable, parseRules } from './rule-parser.js';
import type { PrefixTable, Rule, RuleSet } from './rule-set.js';

function read(path: string, from: SourcePos | undefined): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const pos = from ?? { file: path, line: 1, col: 1 };
    throw new FileError(ErrorCode.RULES_IO, pos, `cannot read rule file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function loadRuleFiles(paths: readonly string[]): RuleSet {
  const rules: Rule[] = [];
  const prefixTables: PrefixTable[] = [];
  for (const path of paths) {
    const parsed = parseRules(read(path, undefined), path);
    rules.push(...parsed.rules);
    for (const d of parsed.prefixFiles) {
      const file = resolve(dirname(path), d.path);
      prefixTables.push(parsePrefixTable(read(file, d.pos), file));
    }
  }
  return { files: [...paths], rules, prefixTables };
}
