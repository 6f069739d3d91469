// Loads dictionary files: the ones shipped in dictionaries/ plus operator extras (no rebuild).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiamondError, ErrorCode, FileError } from '../../errors.js';
import { Dictionary } from './dictionary.js';
import { parseDictionary, type DictFileAst } from './parser.js';

/** The package's dictionaries/ folder: the nearest one above this module (src/, dist/ or a build dir). */
export const BUILTIN_DICTIONARY_DIR = findDictionaryDir(dirname(fileURLToPath(import.meta.url)));

function findDictionaryDir(from: string): string {
  for (let dir = from, i = 0; i < 6; i++, dir = resolve(dir, '..')) {
    const candidate = join(dir, 'dictionaries');
    if (existsSync(join(candidate, 'base.dict'))) return candidate;
  }
  return resolve(from, '../../../dictionaries');
}

export function builtinDictionaryFiles(): string[] {
  return readdirSync(BUILTIN_DICTIONARY_DIR)
    .filter((f) => f.endsWith('.dict'))
    .sort()
    .map((f) => join(BUILTIN_DICTIONARY_DIR, f));
}

export interface LoadResult {
  dictionary: Dictionary;
  errors: FileError[];
}

/** Parses and compiles the given files; every problem is returned with FILE:LINE:COL. */
export function loadDictionaryFiles(paths: string[]): LoadResult {
  const asts: DictFileAst[] = [];
  const errors: FileError[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      errors.push(new FileError(ErrorCode.DICT_IO, { file: p, line: 0, col: 0 }, `cannot read: ${(err as Error).message}`));
      continue;
    }
    const parsed = parseDictionary(text, p);
    errors.push(...parsed.errors);
    asts.push(parsed.ast);
  }
  const compiled = Dictionary.compile(asts);
  return { dictionary: compiled.dictionary, errors: [...errors, ...compiled.errors] };
}

/** Built-in dictionaries plus extras; throws a DiamondError listing every error. */
export function loadDictionary(extraPaths: string[] = []): Dictionary {
  const { dictionary, errors } = loadDictionaryFiles([...builtinDictionaryFiles(), ...extraPaths]);
  if (errors.length > 0) {
    throw new DiamondError(ErrorCode.DICT_SEMANTIC, errors.map((e) => e.message).join('\n'));
  }
  return dictionary;
}

let cached: Dictionary | undefined;

/** The built-in dictionary, compiled once per process. */
export function defaultDictionary(): Dictionary {
  cached ??= loadDictionary();
  return cached;
}
