// YAML text -> a small tree that keeps the line and column of every key and value, so that
// validation errors can say FILE:LINE:COL. Built from js-yaml's event stream (source offsets);
// scalars are typed by js-yaml itself (core schema), so `30`, `0.5`, `true`, `~` mean what YAML says.
import { constructFromEvents, EVENT_ID, parseEvents, SCALAR_STYLE, YAMLException } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { ErrorCode, FileError } from '../errors.js';
import type { SourcePos } from '../errors.js';

export interface Pos {
  line: number;
  col: number;
}

export interface YScalar {
  kind: 'scalar';
  pos: Pos;
  /** null, boolean, number or string as the YAML core schema types it. */
  value: unknown;
}
export interface YSeq {
  kind: 'seq';
  pos: Pos;
  items: YNode[];
}
export interface YEntry {
  key: string;
  keyPos: Pos;
  value: YNode;
}
export interface YMap {
  kind: 'map';
  pos: Pos;
  entries: YEntry[];
}
export type YNode = YScalar | YSeq | YMap;

/** Offsets -> 1-based line and column (UTF-16 units, as editors count them). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
}

export interface ParsedYaml {
  /** Undefined for an empty document (only comments) or on a syntax error. */
  root: YNode | undefined;
  errors: FileError[];
}

function at(file: string, pos: Pos): SourcePos {
  return { file, line: pos.line, col: pos.col };
}

/** Where a node starts: its tag or anchor if it has one, else its value (the quote of a quoted scalar). */
function startOffset(ev: Event): number {
  switch (ev.type) {
    case EVENT_ID.ALIAS:
      return ev.anchorStart - 1; // the '*'
    case EVENT_ID.SCALAR:
    case EVENT_ID.SEQUENCE:
    case EVENT_ID.MAPPING: {
      let start = ev.type === EVENT_ID.SCALAR ? ev.valueStart : ev.start;
      const quoted = ev.type === EVENT_ID.SCALAR && (ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED);
      if (quoted && start > 0) start -= 1;
      for (const o of [ev.anchorStart >= 0 ? ev.anchorStart - 1 : -1, ev.tagStart]) {
        if (o >= 0 && (start < 0 || o < start)) start = o;
      }
      return start;
    }
    default:
      return -1;
  }
}

class TreeBuilder {
  private i = 0;
  private readonly anchors = new Map<string, YNode>();
  readonly errors: FileError[] = [];
  private readonly docEvent: Event;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly events: Event[],
    private readonly lines: LineIndex,
  ) {
    this.docEvent = events[0]!;
  }

  private error(pos: Pos, message: string): void {
    this.errors.push(new FileError(ErrorCode.CONFIG_SYNTAX, at(this.file, pos), message));
  }

  private posOf(ev: Event, fallback: Pos): Pos {
    const o = startOffset(ev);
    return o >= 0 ? this.lines.pos(o) : fallback;
  }

  /** Builds the node whose event is at this.i; leaves this.i after it. */
  node(fallback: Pos): YNode {
    const ev = this.events[this.i++];
    if (ev === undefined) return { kind: 'scalar', pos: fallback, value: null };
    const pos = this.posOf(ev, fallback);
    let node: YNode;
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        node = { kind: 'scalar', pos, value: this.scalarValue(ev, pos) };
        break;
      case EVENT_ID.SEQUENCE: {
        const items: YNode[] = [];
        while (this.events[this.i] !== undefined && this.events[this.i]!.type !== EVENT_ID.POP) {
          items.push(this.node(pos));
        }
        this.i++;
        node = { kind: 'seq', pos, items };
        break;
      }
      case EVENT_ID.MAPPING: {
        const entries: YEntry[] = [];
        const seen = new Map<string, Pos>();
        while (this.events[this.i] !== undefined && this.events[this.i]!.type !== EVENT_ID.POP) {
          const keyNode = this.node(pos);
          const valueNode = this.node(keyNode.pos);
          if (keyNode.kind !== 'scalar') {
            this.error(keyNode.pos, 'a mapping key must be a plain value, not a list or mapping');
            continue;
          }
          const key = String(keyNode.value);
          const first = seen.get(key);
          if (first) {
            this.error(keyNode.pos, `duplicate key ${key} (first at line ${first.line}, column ${first.col})`);
            continue;
          }
          seen.set(key, keyNode.pos);
          entries.push({ key, keyPos: keyNode.pos, value: valueNode });
        }
        this.i++;
        node = { kind: 'map', pos, entries };
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = this.text.slice(ev.anchorStart, ev.anchorEnd);
        const target = this.anchors.get(name);
        if (!target) this.error(pos, `unknown alias *${name}`);
        return target ?? { kind: 'scalar', pos, value: null };
      }
      default:
        // DOCUMENT or POP where a node was expected: the stream is malformed; stop here.
        return { kind: 'scalar', pos, value: null };
    }
    if ('anchorStart' in ev && ev.anchorStart >= 0) this.anchors.set(this.text.slice(ev.anchorStart, ev.anchorEnd), node);
    return node;
  }

  /** Types one scalar with js-yaml's own resolver (core schema), so tags and number forms match YAML. */
  private scalarValue(ev: ScalarEvent, pos: Pos): unknown {
    try {
      const docs = constructFromEvents([this.docEvent, ev, { type: EVENT_ID.POP }], { source: this.text, filename: this.file });
      return docs[0] ?? null;
    } catch (err) {
      this.error(pos, err instanceof YAMLException ? err.reason : String(err));
      return null;
    }
  }

  /** Builds the first document (events[0] is its DOCUMENT event); returns the index after its POP. */
  document(): { root: YNode; next: number } {
    this.i = 1;
    const root = this.node({ line: 1, col: 1 });
    return { root, next: this.i + 1 };
  }
}

/** Parses one YAML document into a positioned tree; syntax errors name FILE:LINE:COL. */
export function parseYamlTree(text: string, file: string): ParsedYaml {
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const line = (err.mark?.line ?? 0) + 1;
      const col = (err.mark?.column ?? 0) + 1;
      return { root: undefined, errors: [new FileError(ErrorCode.CONFIG_SYNTAX, { file, line, col }, err.reason)] };
    }
    throw err;
  }
  if (events.length === 0) return { root: undefined, errors: [] };
  const lines = new LineIndex(text);
  const builder = new TreeBuilder(text, file, events, lines);
  const { root, next } = builder.document();
  if (events[next] !== undefined) {
    const second = events[next + 1];
    const pos = second ? lines.pos(Math.max(0, startOffset(second))) : { line: 1, col: 1 };
    builder.errors.push(new FileError(ErrorCode.CONFIG_SYNTAX, at(file, pos), 'a second YAML document; the configuration is one document'));
  }
  return { root, errors: builder.errors };
}
