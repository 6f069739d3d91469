// diamond.yaml -> Config. All errors are collected (FILE:LINE:COL: message); the node refuses to
// start on any of them, so `config` is only returned when `errors` is empty.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, FileError } from '../errors.js';
import type { Config } from './model.js';
import { validateConfig } from './validate.js';
import { parseYamlTree } from './yaml-tree.js';

export interface LoadResult {
  config?: Config;
  errors: FileError[];
}

export interface LoadOptions {
  /** Host name for the generated identity when the file has none; default os.hostname(). */
  host?: string;
}

/** Parses and validates YAML text; `path` names the file in errors and anchors relative paths. */
export function loadConfigText(text: string, path: string, options: LoadOptions = {}): LoadResult {
  const parsed = parseYamlTree(text, path);
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  return validateConfig(parsed.root, { file: path, baseDir: dirname(resolve(path)), host: options.host });
}

/** Reads and validates a configuration file. */
export function loadConfig(path: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { errors: [new FileError(ErrorCode.CONFIG_IO, { file: path, line: 1, col: 1 }, `cannot read the configuration: ${reason}`)] };
  }
  return loadConfigText(text, path, options);
}
