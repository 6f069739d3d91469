import { describe, it, expect } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { LineIndex, parseYamlTree } from '../../src/config/yaml-tree.js';
import type { YNode } from '../../src/config/yaml-tree.js';

/** Every node as 'path @line:col = value', keys as 'path# @line:col'. */
function positions(node: YNode, path = '$', out: string[] = []): string[] {
  const at = `@${node.pos.line}:${node.pos.col}`;
  if (node.kind === 'scalar') out.push(`${path} ${at} = ${JSON.stringify(node.value)}`);
  else if (node.kind === 'seq') {
    out.push(`${path} ${at} seq`);
    node.items.forEach((n, i) => positions(n, `${path}[${i}]`, out));
  } else {
    out.push(`${path} ${at} map`);
    for (const e of node.entries) {
      out.push(`${path}.${e.key}# @${e.keyPos.line}:${e.keyPos.col}`);
      positions(e.value, `${path}.${e.key}`, out);
    }
  }
  return out;
}

describe('parseYamlTree positions', () => {
  it('are right for block and flow collections nested in each other', () => {
    const text = [
      'a: 1',
      'list:',
      '  - x',
      '  - - 7',
      "    - 'q'",
      '  - { k: [1, "two"], m: {n: null} }',
      'map:',
      '    deep:',
      '        v: 0.5',
      '',
    ].join('\n');
    const { root, errors } = parseYamlTree(text, 'f.yaml');
    expect(errors).toEqual([]);
    expect(positions(root!)).toEqual([
      '$ @1:1 map',
      '$.a# @1:1',
      '$.a @1:4 = 1',
      '$.list# @2:1',
      '$.list @3:3 seq',
      '$.list[0] @3:5 = "x"',
      '$.list[1] @4:5 seq',
      '$.list[1][0] @4:7 = 7',
      '$.list[1][1] @5:7 = "q"',
      '$.list[2] @6:5 map',
      '$.list[2].k# @6:7',
      '$.list[2].k @6:10 seq',
      '$.list[2].k[0] @6:11 = 1',
      '$.list[2].k[1] @6:14 = "two"',
      '$.list[2].m# @6:22',
      '$.list[2].m @6:25 map',
      '$.list[2].m.n# @6:26',
      '$.list[2].m.n @6:29 = null',
      '$.map# @7:1',
      '$.map @8:5 map',
      '$.map.deep# @8:5',
      '$.map.deep @9:9 map',
      '$.map.deep.v# @9:9',
      '$.map.deep.v @9:12 = 0.5',
    ]);
  });

  it('types scalars by the YAML core schema, and gives empty values the key position', () => {
    const { root } = parseYamlTree('i: 0x1F\nf: 1e3\nb: true\ny: yes\ns: "30"\nt: !!str 30\nempty:\n', 'f.yaml');
    expect(positions(root!).filter((l) => !l.includes('#'))).toEqual([
      '$ @1:1 map',
      '$.i @1:4 = 31',
      '$.f @2:4 = 1000',
      '$.b @3:4 = true',
      '$.y @4:4 = "yes"',
      '$.s @5:4 = "30"',
      '$.t @6:4 = "30"',
      '$.empty @7:1 = null',
    ]);
  });

  it('reports syntax errors with 1-based line and column', () => {
    const { root, errors } = parseYamlTree('a:\n  - b\n - c\n', 'f.yaml');
    expect(root).toBeUndefined();
    expect(errors.map((e) => [e.code, e.pos.line, e.pos.col])).toEqual([[ErrorCode.CONFIG_SYNTAX, 3, 2]]);
  });

  it('treats an empty text as no document', () => {
    expect(parseYamlTree('', 'f.yaml')).toEqual({ root: undefined, errors: [] });
    expect(parseYamlTree('# only a comment\n', 'f.yaml')).toEqual({ root: undefined, errors: [] });
  });

  it('LineIndex maps offsets to lines and columns', () => {
    const idx = new LineIndex('ab\ncd\n\ne');
    expect([0, 1, 2, 3, 5, 6, 7].map((o) => idx.pos(o))).toEqual([
      { line: 1, col: 1 },
      { line: 1, col: 2 },
      { line: 1, col: 3 },
      { line: 2, col: 1 },
      { line: 2, col: 3 },
      { line: 3, col: 1 },
      { line: 4, col: 1 },
    ]);
  });
});
