// S-CSCF pools (TS 29.228 §6.1.1.1 UAR, §6.1.4.1 LIR, §6.7 Server-Capabilities): the S-CSCFs an
// I-CSCF may be offered for a user with none assigned. IMS subscribers refer to a pool by id; one
// in use cannot be deleted. Read on every UAR/LIR of such a user: cached (read-cache.ts; the
// scscf_pool triggers there empty the cache on any change, whoever makes it).
import { FIELD, matches } from '../fields.js';
import type { Actor, Page, PageRequest, ScscfPool, ScscfPoolInput, ScscfPoolRepository } from '../model.js';
import { conflict, invalid, notFound } from '../store-error.js';
import { ReadCache } from './read-cache.js';
import { pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  id: number;
  name: string;
  server_names: string;
  mandatory_capabilities: string;
  optional_capabilities: string;
  answer: string;
  created_at: string;
  updated_at: string;
}

const toPool = (r: Row): ScscfPool => ({
  id: r.id,
  name: r.name,
  serverNames: JSON.parse(r.server_names) as string[],
  mandatoryCapabilities: JSON.parse(r.mandatory_capabilities) as number[],
  optionalCapabilities: JSON.parse(r.optional_capabilities) as number[],
  answer: r.answer as ScscfPool['answer'],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const MAX_SERVERS = 64;
const ANSWERS = ['server-name', 'capabilities'];

function checkCapabilities(field: 'mandatoryCapabilities' | 'optionalCapabilities', v: unknown): void {
  if (!Array.isArray(v) || v.length > MAX_SERVERS) throw invalid(field, `${field}: must be a list of at most ${MAX_SERVERS} capability values`);
  v.forEach((c, i) => {
    if (!Number.isInteger(c) || (c as number) < 0 || (c as number) > 0xffffffff) throw invalid(`${field}[${i}]`, `${field}[${i}]: must be an integer 0..4294967295 (Unsigned32)`);
  });
}

function check(p: Partial<ScscfPoolInput>): void {
  if (p.name !== undefined && (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > 200)) throw invalid('name', 'name: must be a non-empty string of at most 200 characters');
  if (p.serverNames !== undefined) {
    if (!Array.isArray(p.serverNames) || p.serverNames.length === 0 || p.serverNames.length > MAX_SERVERS) {
      throw invalid('serverNames', `serverNames: must be a list of 1 to ${MAX_SERVERS} S-CSCF SIP URIs`);
    }
    const seen = new Set<string>();
    p.serverNames.forEach((s, i) => {
      if (!matches(FIELD.sipUri, s)) throw invalid(`serverNames[${i}]`, `serverNames[${i}]: ${FIELD.sipUri.description}`);
      if (seen.has(s)) throw invalid(`serverNames[${i}]`, `serverNames[${i}]: ${s} is listed twice`);
      seen.add(s);
    });
  }
  if (p.mandatoryCapabilities !== undefined) checkCapabilities('mandatoryCapabilities', p.mandatoryCapabilities);
  if (p.optionalCapabilities !== undefined) checkCapabilities('optionalCapabilities', p.optionalCapabilities);
  if (p.answer !== undefined && !ANSWERS.includes(p.answer)) throw invalid('answer', `answer: must be ${ANSWERS.join(' or ')}`);
}

export class SqliteScscfPools implements ScscfPoolRepository {
  private readonly ctx: Ctx;
  private readonly cache: ReadCache<ScscfPool>;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.cache = new ReadCache(ctx.epochs, 1000);
  }

  private readonly load = (key: string): ScscfPool | undefined => {
    const r = this.ctx.db.prepare('SELECT * FROM scscf_pool WHERE id = ?').get(Number(key)) as Row | undefined;
    return r ? toPool(r) : undefined;
  };

  get(id: number): ScscfPool | undefined {
    return this.cache.get(String(id), this.load);
  }

  list(page?: PageRequest): Page<ScscfPool> {
    const limit = pageLimit(page);
    const rows = this.ctx.db.prepare('SELECT * FROM scscf_pool WHERE id > ? ORDER BY id LIMIT ?').all(Number(page?.after ?? 0), limit + 1) as Row[];
    return toPage(rows, limit, toPool, (t) => String(t.id));
  }

  private clash(name: string, id = -1): void {
    if (this.ctx.db.prepare('SELECT id FROM scscf_pool WHERE name = ? AND id <> ?').get(name, id)) throw conflict('name', `name: S-CSCF pool ${name} already exists`);
  }

  create(input: ScscfPoolInput, actor: Actor): ScscfPool {
    for (const f of ['name', 'serverNames'] as const) if (input[f] === undefined) throw invalid(f, `${f}: is required`);
    check(input);
    return this.ctx.write(() => {
      this.clash(input.name);
      const now = this.ctx.now();
      const id = Number(
        this.ctx.db
          .prepare('INSERT INTO scscf_pool (name, server_names, mandatory_capabilities, optional_capabilities, answer, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(
            input.name,
            JSON.stringify(input.serverNames),
            JSON.stringify(input.mandatoryCapabilities ?? []),
            JSON.stringify(input.optionalCapabilities ?? []),
            input.answer ?? 'server-name',
            now,
            now,
          ).lastInsertRowid,
      );
      this.ctx.audit(actor, 'create', 'scscf-pool', id, input);
      return this.load(String(id))!;
    });
  }

  update(id: number, patch: Partial<ScscfPoolInput>, actor: Actor): ScscfPool {
    check(patch);
    return this.ctx.write(() => {
      const cur = this.load(String(id));
      if (!cur) throw notFound('S-CSCF pool', id);
      const next = { ...cur, ...patch };
      this.clash(next.name, id);
      this.ctx.db
        .prepare('UPDATE scscf_pool SET name = ?, server_names = ?, mandatory_capabilities = ?, optional_capabilities = ?, answer = ?, updated_at = ? WHERE id = ?')
        .run(next.name, JSON.stringify(next.serverNames), JSON.stringify(next.mandatoryCapabilities), JSON.stringify(next.optionalCapabilities), next.answer, this.ctx.now(), id);
      this.ctx.audit(actor, 'update', 'scscf-pool', id, patch);
      return this.load(String(id))!;
    });
  }

  delete(id: number, actor: Actor): void {
    this.ctx.write(() => {
      const cur = this.load(String(id));
      if (!cur) throw notFound('S-CSCF pool', id);
      const used = this.ctx.db.prepare('SELECT count(*) AS n FROM ims_subscriber WHERE scscf_pool_id = ?').get(id) as { n: number };
      if (used.n > 0) throw conflict('id', `S-CSCF pool ${cur.name} is used by ${used.n} IMS subscriber(s)`);
      this.ctx.db.prepare('DELETE FROM scscf_pool WHERE id = ?').run(id);
      this.ctx.audit(actor, 'delete', 'scscf-pool', id, { name: cur.name });
    });
  }
}
