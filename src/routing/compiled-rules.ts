// A rule set compiled for the relay path, once per load or reload: which rules a request can
// trigger, found by lookup instead of testing every rule, and targets turned into small integer
// name ids so that a candidate's score is a few array reads. The RuleSet stays the reference:
// the explained path (scoring.ts) walks it rule by rule, and tests hold both paths to the same
// scores.
//
// Criteria: `*` rules are listed once; plain `oh/or/dh/dr/un/si="x"` rules sit in one Map per AVP
// keyed by the lower-case text, so a request makes one lookup per AVP that has such rules;
// `app=`/`cc=` rules in a Map by number; regex criteria are tested one by one.
// Targets: a plain identity or realm target is a name id; a candidate's identity and realm get
// name ids from the same tables when it is first scored, so "does this rule target this peer"
// is an integer comparison. Regex targets are numbered, and each candidate caches its result.
import { PrefixIndex } from './prefix-index.js';
import type { Criterion, Rule, RuleSet, Target } from './rule-set.js';

/** The AVP criteria with plain/regex strings, in a fixed order (index into CompiledRules.plain). */
export const STRING_KEYS = ['oh', 'or', 'dh', 'dr', 'un', 'si'] as const;
export type StringKey = (typeof STRING_KEYS)[number];

/** What scoring keeps on a candidate for one compiled rule set; rebuilt when the rules change. */
export interface CandidateCache {
  rules: CompiledRules;
  /** Name id of the lower-case identity, of the lower-case realm. */
  id: number;
  realm: number;
  idLower: string;
  /** Per regex target: 0 not tested yet, 1 no match, 2 match. */
  regexHit: Int8Array;
  /** The last application looked up, the Set it was looked up in, and whether it was served. */
  app: number;
  apps: ReadonlySet<number> | undefined;
  appOk: boolean;
}

export class CompiledRules {
  readonly source: RuleSet;
  /** Score rules in file order; a rule's order is its index here. */
  readonly scoreRules: Rule[] = [];
  readonly ruleTarget: Int32Array;
  readonly ruleScore: Float64Array;
  /** 0: no weight. */
  readonly ruleWeight: Float64Array;
  /** Rules with `*`. */
  readonly always: Int32Array;
  /** Per STRING_KEYS entry: lower-case plain text → rules, or undefined when no rule uses it. */
  readonly plain: (Map<string, Int32Array> | undefined)[] = [];
  /** Rules with a regex criterion, and the criterion's AVP (index into STRING_KEYS). */
  readonly regexRules: Int32Array;
  readonly regexKey: Int32Array;
  readonly byApp = new Map<number, Int32Array>();
  readonly byCc = new Map<number, Int32Array>();
  /** `answer` and `set_realm` rules, in file order. */
  readonly answerRules: Rule[] = [];
  readonly realmRules: Rule[] = [];
  readonly prefixes: PrefixIndex[] = [];
  readonly prefixHasRealms: boolean;
  readonly prefixHasEntries: boolean;
  /** Regex targets by number (a compiled target -1 - i is regexTargets[i]). */
  readonly regexTargets: Target[] = [];
  private readonly regexTargetIds = new Map<string, number>();
  /** Name ids: identities and realms in separate tables, one numbering. */
  readonly identityIds = new Map<string, number>();
  readonly realmIds = new Map<string, number>();
  private names = 0;

  // Per-request scratch for the scorer (single-threaded; scoring does not re-enter).
  /** Request generation; a name slot counts only if its stamp equals it. */
  generation = 0;
  slotStamp = new Uint32Array(16);
  slotScore = new Float64Array(16);
  slotWeight = new Float64Array(16);
  slotWeightOrder = new Int32Array(16);
  /** Contributions with a regex target for the current request: target, score, weight, order. */
  regexCount = 0;
  regexTarget = new Int32Array(8);
  regexScore = new Float64Array(8);
  regexWeight = new Float64Array(8);
  regexOrder = new Int32Array(8);

  constructor(rules: RuleSet) {
    this.source = rules;
    const always: number[] = [];
    const plain: Map<string, number[]>[] = STRING_KEYS.map(() => new Map());
    const regexRules: number[] = [];
    const regexKey: number[] = [];
    const byApp = new Map<number, number[]>();
    const byCc = new Map<number, number[]>();
    const target: number[] = [];
    const score: number[] = [];
    const weight: number[] = [];
    for (const r of rules.rules) {
      const a = r.action;
      if (a.kind === 'answer') this.answerRules.push(r);
      if (a.kind === 'realm') this.realmRules.push(r);
      if (a.kind !== 'score') continue;
      const i = this.scoreRules.push(r) - 1;
      target.push(this.compileTarget(a.target));
      score.push(a.score);
      weight.push(a.weight ?? 0);
      const c: Criterion | undefined = r.criterion;
      if (!c) always.push(i);
      else if (!('match' in c)) push(c.key === 'app' ? byApp : byCc, c.value, i);
      else if (c.match.kind === 'plain') push(plain[STRING_KEYS.indexOf(c.key)]!, c.match.lower, i);
      else {
        regexRules.push(i);
        regexKey.push(STRING_KEYS.indexOf(c.key));
      }
    }
    this.ruleTarget = Int32Array.from(target);
    this.ruleScore = Float64Array.from(score);
    this.ruleWeight = Float64Array.from(weight);
    this.always = Int32Array.from(always);
    for (const m of plain) this.plain.push(m.size === 0 ? undefined : new Map([...m].map(([k, v]) => [k, Int32Array.from(v)])));
    this.regexRules = Int32Array.from(regexRules);
    this.regexKey = Int32Array.from(regexKey);
    for (const [k, v] of byApp) this.byApp.set(k, Int32Array.from(v));
    for (const [k, v] of byCc) this.byCc.set(k, Int32Array.from(v));
    for (const t of rules.prefixTables) this.prefixes.push(new PrefixIndex(t, (tg) => this.compileTarget(tg)));
    this.prefixHasRealms = this.prefixes.some((p) => p.hasRealms);
    this.prefixHasEntries = this.prefixes.some((p) => p.hasEntries);
    this.growSlots();
  }

  /** A plain target's name id, or -1 - i for the i-th regex target. */
  private compileTarget(t: Target): number {
    if (t.match.kind === 'plain') return this.nameId(t.on === 'identity' ? this.identityIds : this.realmIds, t.match.lower);
    const key = `${t.on}\n${t.match.text}`;
    let i = this.regexTargetIds.get(key);
    if (i === undefined) {
      i = this.regexTargets.push(t) - 1;
      this.regexTargetIds.set(key, i);
    }
    return -1 - i;
  }

  private nameId(table: Map<string, number>, lower: string): number {
    let id = table.get(lower);
    if (id === undefined) {
      id = this.names++;
      table.set(lower, id);
    }
    return id;
  }

  private growSlots(): void {
    if (this.names <= this.slotStamp.length) return;
    let n = this.slotStamp.length;
    while (n < this.names) n *= 2;
    // Fresh stamps are 0 and the generation is >= 1 while scoring: new slots start empty.
    const grow = <T extends Uint32Array | Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.slotStamp = grow(this.slotStamp, (k) => new Uint32Array(k));
    this.slotScore = grow(this.slotScore, (k) => new Float64Array(k));
    this.slotWeight = grow(this.slotWeight, (k) => new Float64Array(k));
    this.slotWeightOrder = grow(this.slotWeightOrder, (k) => new Int32Array(k));
  }

  /** Starts scoring a request: every name slot reads as empty from here on. */
  nextGeneration(): number {
    if (++this.generation >= 0xffffffff) {
      this.slotStamp.fill(0);
      this.generation = 1;
    }
    this.regexCount = 0;
    return this.generation;
  }

  /** The cache a candidate carries for this rule set (name ids of its identity and realm). */
  attach(identity: string, realm: string, identityLower: string | undefined, realmLower: string | undefined): CandidateCache {
    const idLower = identityLower ?? identity.toLowerCase();
    const c: CandidateCache = {
      rules: this,
      id: this.nameId(this.identityIds, idLower),
      realm: this.nameId(this.realmIds, realmLower ?? realm.toLowerCase()),
      idLower,
      regexHit: new Int8Array(this.regexTargets.length),
      app: -1,
      apps: undefined,
      appOk: false,
    };
    this.growSlots();
    return c;
  }

  /** Adds a contribution of rule or prefix entry `order` to a target (scorer's per-request state). */
  add(target: number, score: number, weight: number, order: number, gen: number): void {
    if (target >= 0) {
      if (this.slotStamp[target] !== gen) {
        this.slotStamp[target] = gen;
        this.slotScore[target] = score;
        this.slotWeightOrder[target] = -1;
      } else this.slotScore[target] = this.slotScore[target]! + score;
      if (weight > 0 && order > this.slotWeightOrder[target]!) {
        this.slotWeightOrder[target] = order;
        this.slotWeight[target] = weight;
      }
      return;
    }
    const k = this.regexCount++;
    if (k === this.regexTarget.length) this.growRegex();
    this.regexTarget[k] = -1 - target;
    this.regexScore[k] = score;
    this.regexWeight[k] = weight;
    this.regexOrder[k] = order;
  }

  private growRegex(): void {
    const n = this.regexTarget.length * 2;
    const t = new Int32Array(n);
    t.set(this.regexTarget);
    this.regexTarget = t;
    const s = new Float64Array(n);
    s.set(this.regexScore);
    this.regexScore = s;
    const w = new Float64Array(n);
    w.set(this.regexWeight);
    this.regexWeight = w;
    const o = new Int32Array(n);
    o.set(this.regexOrder);
    this.regexOrder = o;
  }
}

function push<K>(m: Map<K, number[]>, k: K, i: number): void {
  const l = m.get(k);
  if (l) l.push(i);
  else m.set(k, [i]);
}

const compiled = new WeakMap<RuleSet, CompiledRules>();

/** The compiled form of a rule set, built on first use and kept as long as the rule set lives. */
export function compileRules(rules: RuleSet): CompiledRules {
  let c = compiled.get(rules);
  if (!c) compiled.set(rules, (c = new CompiledRules(rules)));
  return c;
}
