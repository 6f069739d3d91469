// Roaming rules by visited PLMN (MCC, MNC): allowed or barred. A subscriber lists the rules that
// apply to it; a visited PLMN without a listed rule falls back to the subscriber's roamingAllowed.
import { FIELD, matches } from '../fields.js';
import type { Actor, Page, PageRequest, RoamingRule, RoamingRuleInput, RoamingRuleRepository } from '../model.js';
import { conflict, invalid, notFound } from '../store-error.js';
import { bool, pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  id: number;
  name: string;
  mcc: string;
  mnc: string;
  allowed: number;
  created_at: string;
  updated_at: string;
}

const toRule = (r: Row): RoamingRule => ({ id: r.id, name: r.name, mcc: r.mcc, mnc: r.mnc, allowed: bool(r.allowed), createdAt: r.created_at, updatedAt: r.updated_at });

function check(r: Partial<RoamingRuleInput>): void {
  if (r.name !== undefined && (typeof r.name !== 'string' || r.name.trim() === '')) throw invalid('name', 'name: must be a non-empty string');
  if (r.mcc !== undefined && !matches(FIELD.mcc, r.mcc)) throw invalid('mcc', `mcc: ${FIELD.mcc.description}`);
  if (r.mnc !== undefined && !matches(FIELD.mnc, r.mnc)) throw invalid('mnc', `mnc: ${FIELD.mnc.description}`);
  if (r.allowed !== undefined && typeof r.allowed !== 'boolean') throw invalid('allowed', 'allowed: must be true or false');
}

export class SqliteRoamingRules implements RoamingRuleRepository {
  private readonly ctx: Ctx;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  get(id: number): RoamingRule | undefined {
    const r = this.ctx.db.prepare('SELECT * FROM roaming_rule WHERE id = ?').get(id) as Row | undefined;
    return r ? toRule(r) : undefined;
  }

  list(page?: PageRequest): Page<RoamingRule> {
    const limit = pageLimit(page);
    const rows = this.ctx.db.prepare('SELECT * FROM roaming_rule WHERE id > ? ORDER BY id LIMIT ?').all(Number(page?.after ?? 0), limit + 1) as Row[];
    return toPage(rows, limit, toRule, (t) => String(t.id));
  }

  private clash(r: { name: string; mcc: string; mnc: string }, id = -1): void {
    if (this.ctx.db.prepare('SELECT id FROM roaming_rule WHERE name = ? AND id <> ?').get(r.name, id)) throw conflict('name', `name: roaming rule ${r.name} already exists`);
    if (this.ctx.db.prepare('SELECT id FROM roaming_rule WHERE mcc = ? AND mnc = ? AND id <> ?').get(r.mcc, r.mnc, id)) {
      throw conflict('mnc', `mnc: a roaming rule for PLMN ${r.mcc}-${r.mnc} already exists`);
    }
  }

  create(input: RoamingRuleInput, actor: Actor): RoamingRule {
    for (const f of ['name', 'mcc', 'mnc'] as const) if (input[f] === undefined) throw invalid(f, `${f}: is required`);
    check(input);
    return this.ctx.write(() => {
      this.clash(input);
      const now = this.ctx.now();
      const id = Number(
        this.ctx.db
          .prepare('INSERT INTO roaming_rule (name, mcc, mnc, allowed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(input.name, input.mcc, input.mnc, (input.allowed ?? true) ? 1 : 0, now, now).lastInsertRowid,
      );
      this.ctx.audit(actor, 'create', 'roaming-rule', id, input);
      return this.get(id)!;
    });
  }

  update(id: number, patch: Partial<RoamingRuleInput>, actor: Actor): RoamingRule {
    check(patch);
    return this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('roaming rule', id);
      const next = { name: patch.name ?? cur.name, mcc: patch.mcc ?? cur.mcc, mnc: patch.mnc ?? cur.mnc, allowed: patch.allowed ?? cur.allowed };
      this.clash(next, id);
      this.ctx.db.prepare('UPDATE roaming_rule SET name = ?, mcc = ?, mnc = ?, allowed = ?, updated_at = ? WHERE id = ?').run(next.name, next.mcc, next.mnc, next.allowed ? 1 : 0, this.ctx.now(), id);
      this.ctx.audit(actor, 'update', 'roaming-rule', id, patch);
      return this.get(id)!;
    });
  }

  delete(id: number, actor: Actor): void {
    this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('roaming rule', id);
      const used = this.ctx.db.prepare('SELECT count(*) AS n FROM subscriber_roaming_rule WHERE rule_id = ?').get(id) as { n: number };
      if (used.n > 0) throw conflict('id', `roaming rule ${cur.name} is used by ${used.n} subscriber(s)`);
      this.ctx.db.prepare('DELETE FROM roaming_rule WHERE id = ?').run(id);
      this.ctx.audit(actor, 'delete', 'roaming-rule', id, { name: cur.name });
    });
  }
}
