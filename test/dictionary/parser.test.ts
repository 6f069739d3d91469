import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dictionary } from '../../src/diameter/dictionary/dictionary.js';
import { renderConstants } from '../../src/diameter/dictionary/generate.js';
import { builtinDictionaryFiles, defaultDictionary, loadDictionaryFiles } from '../../src/diameter/dictionary/load.js';
import { parseDictionary } from '../../src/diameter/dictionary/parser.js';
import { ErrorCode } from '../../src/errors.js';

const sample = `# a test dictionary
@name demo
@application 16777999 Demo
@vendor 9999 Acme
@inherits base

@avp
Demo-Thing        70000  MV  Acme  Grouped
Demo-Count        70001  MV  Acme  Unsigned32
Demo-Kind         70002  MV  Acme  Enumerated

@enum Demo-Kind
RED    0
GREEN  1

@commands
9000  Demo-Action  DAR  DAA

@grouped
Demo-Thing ::= < AVP Header: 70000 9999 >
      { Demo-Count }
    *5[ Demo-Kind ]
      * [ AVP ]

@messages
DAR ::= < Diameter Header: 9000, REQ, PXY, 16777999 >
      < Session-Id >
      { Origin-Host }
      1*{ Demo-Thing }
      *[ AVP ]
DAA ::= < Diameter Header: 9000, PXY, 16777999 >
      < Session-Id >
      { Result-Code }
`;

describe('dictionary parser and compiler', () => {
  it('compiles a file that extends the built-in dictionaries', () => {
    const asts = builtinDictionaryFiles().map((f) => parseDictionary(readFileSync(f, 'utf8'), f).ast);
    const demo = parseDictionary(sample, 'demo.dict');
    expect(demo.errors).toEqual([]);
    const { dictionary, errors } = Dictionary.compile([...asts, demo.ast]);
    expect(errors).toEqual([]);
    const thing = dictionary.avpByName('Demo-Thing')!;
    expect(thing.vendorId).toBe(9999);
    expect(thing.grammar?.rules.map((r) => [r.name, r.kind, r.min, r.max])).toEqual([
      ['Demo-Count', 'required', 1, 1],
      ['Demo-Kind', 'optional', 0, 5],
    ]);
    expect(thing.grammar?.anyAvp).toBe(true);
    const dar = dictionary.message(16777999, 9000, true)!;
    expect(dar.proxiable).toBe(true);
    expect(dar.grammar.rules.find((r) => r.name === 'Demo-Thing')).toMatchObject({ min: 1, max: Infinity });
    expect(dictionary.enumName(dictionary.avpByName('Demo-Kind')!, 1)).toBe('GREEN');
  });

  it('names file, line and column of syntax errors', () => {
    const bad = '@name x\n@avp\nFoo  12  MX  -  Unsigned32\nBar  13  M  -  Strange\n@messages\n  { Origin-Host }\n';
    const { errors } = parseDictionary(bad, 'x.dict');
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.DICT_SYNTAX, ErrorCode.DICT_SYNTAX, ErrorCode.DICT_SYNTAX]);
    expect(errors.map((e) => `${e.pos.line}:${e.pos.col}`)).toEqual(['3:10', '4:16', '6:3']);
    expect(errors[0]!.message).toMatch(/^x\.dict:3:10: expected flags/);
  });

  it('rejects rules the RFC forbids: optional with min > 0, max below min, mismatched brackets', () => {
    const bad = '@name x\n@messages\nDAR ::= < Diameter Header: 1, REQ >\n  1*[ User-Name ]\n  3*2{ User-Name }\n  { User-Name ]\n';
    const { errors } = parseDictionary(bad, 'x.dict');
    expect(errors.map((e) => e.pos.line)).toEqual([4, 5, 6]);
  });

  it('reports semantic errors: unknown names, duplicate codes, header mismatch', () => {
    const text = '@name y\n@inherits base\n@avp\nUser-Name 1 M - UTF8String\nDup-Code 263 M - UTF8String\n@grouped\nNo-Such ::= < AVP Header: 1 >\n  { Origin-Host }\n';
    const parsed = parseDictionary(text, 'y.dict');
    const base = builtinDictionaryFiles().find((f) => f.endsWith('base.dict'))!;
    const { errors } = Dictionary.compile([parseDictionary(readFileSync(base, 'utf8'), base).ast, parsed.ast]);
    expect(errors.map((e) => e.pos.line)).toEqual([4, 5, 7]);
    expect(errors.every((e) => e.code === ErrorCode.DICT_SEMANTIC)).toBe(true);
  });

  it('loads every shipped dictionary without errors', () => {
    const { errors } = loadDictionaryFiles(builtinDictionaryFiles());
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});

describe('generated constants', () => {
  it('are up to date with dictionaries/ (run `npm run gen` after editing a dictionary)', () => {
    const committed = readFileSync(new URL('../../src/diameter/dictionary/generated/constants.ts', import.meta.url), 'utf8');
    expect(renderConstants(defaultDictionary())).toBe(committed);
  });
});
