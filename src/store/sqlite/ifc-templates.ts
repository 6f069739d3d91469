// iFC templates (TS 29.228 Annex B InitialFilterCriteria XML), shared by many IMS subscribers. The
// XML is checked against Annex E (ifc-xml.ts) before it is written: a bad one is refused with its
// line and column, never stored to break every SAA that would carry it.
import { checkIfcXml } from '../ifc-xml.js';
import type { Actor, IfcTemplate, IfcTemplateInput, IfcTemplateRepository, ImsSubscriberRepository, Page, PageRequest } from '../model.js';
import { conflict, invalid, notFound } from '../store-error.js';
import { changedFields, pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  id: number;
  name: string;
  xml: string;
  created_at: string;
  updated_at: string;
}

const toTemplate = (r: Row): IfcTemplate => ({ id: r.id, name: r.name, xml: r.xml, createdAt: r.created_at, updatedAt: r.updated_at });

function check(t: Partial<IfcTemplateInput>): void {
  if (t.name !== undefined && (typeof t.name !== 'string' || t.name.trim() === '' || t.name.length > 200)) throw invalid('name', 'name: must be a non-empty string of at most 200 characters');
  if (t.xml === undefined) return;
  if (typeof t.xml !== 'string') throw invalid('xml', 'xml: must be XML holding one or more <InitialFilterCriteria> elements (TS 29.228 Annex B)');
  const p = checkIfcXml(t.xml);
  if (p) throw invalid('xml', `xml: line ${p.line}, column ${p.column}: ${p.message}`, { line: p.line, column: p.column });
}

export class SqliteIfcTemplates implements IfcTemplateRepository {
  private readonly ctx: Ctx;
  private readonly ims: ImsSubscriberRepository;

  constructor(ctx: Ctx, ims: ImsSubscriberRepository) {
    this.ctx = ctx;
    this.ims = ims;
  }

  get(id: number): IfcTemplate | undefined {
    const r = this.ctx.db.prepare('SELECT * FROM ifc_template WHERE id = ?').get(id) as Row | undefined;
    return r ? toTemplate(r) : undefined;
  }

  list(page?: PageRequest): Page<IfcTemplate> {
    const limit = pageLimit(page);
    const rows = this.ctx.db.prepare('SELECT * FROM ifc_template WHERE id > ? ORDER BY id LIMIT ?').all(Number(page?.after ?? 0), limit + 1) as Row[];
    return toPage(rows, limit, toTemplate, (t) => String(t.id));
  }

  private nameTaken(name: string, id = -1): boolean {
    return this.ctx.db.prepare('SELECT id FROM ifc_template WHERE name = ? AND id <> ?').get(name, id) !== undefined;
  }

  create(input: IfcTemplateInput, actor: Actor): IfcTemplate {
    if (input.name === undefined) throw invalid('name', 'name: is required');
    if (input.xml === undefined) throw invalid('xml', 'xml: is required');
    check(input);
    return this.ctx.write(() => {
      if (this.nameTaken(input.name)) throw conflict('name', `name: iFC template ${input.name} already exists`);
      const now = this.ctx.now();
      const id = Number(this.ctx.db.prepare('INSERT INTO ifc_template (name, xml, created_at, updated_at) VALUES (?, ?, ?, ?)').run(input.name, input.xml, now, now).lastInsertRowid);
      this.ctx.audit(actor, 'create', 'ifc-template', id, input);
      return this.get(id)!;
    });
  }

  update(id: number, patch: Partial<IfcTemplateInput>, actor: Actor): IfcTemplate {
    check(patch);
    return this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('iFC template', id);
      if (patch.name !== undefined && this.nameTaken(patch.name, id)) throw conflict('name', `name: iFC template ${patch.name} already exists`);
      this.ctx.db.prepare('UPDATE ifc_template SET name = ?, xml = ?, updated_at = ? WHERE id = ?').run(patch.name ?? cur.name, patch.xml ?? cur.xml, this.ctx.now(), id);
      this.ctx.audit(actor, 'update', 'ifc-template', id, patch);
      if (patch.xml !== undefined) {
        // Users of the template with an S-CSCF holding their profile need a PPR with the new User-Data.
        const users = this.ctx.db
          .prepare(
            `SELECT s.impi FROM ims_subscriber s WHERE s.ifc_template_id = ?
               AND EXISTS (SELECT 1 FROM ims_public_identity p WHERE p.impi = s.impi AND p.scscf_name IS NOT NULL)`,
          )
          .all(id) as { impi: string }[];
        for (const u of users) {
          const sub = this.ims.get(u.impi);
          if (!sub) continue;
          this.ctx.later('ims-subscriber-changed', { impi: u.impi, kind: 'updated', fields: changedFields(patch).map((f) => `ifcTemplate.${f}`), impus: sub.impus.map((p) => p.impu), scscfName: sub.scscfName });
        }
      }
      return this.get(id)!;
    });
  }

  delete(id: number, actor: Actor): void {
    this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('iFC template', id);
      const used = this.ctx.db.prepare('SELECT count(*) AS n FROM ims_subscriber WHERE ifc_template_id = ?').get(id) as { n: number };
      if (used.n > 0) throw conflict('id', `iFC template ${cur.name} is used by ${used.n} IMS subscriber(s)`);
      this.ctx.db.prepare('DELETE FROM ifc_template WHERE id = ?').run(id);
      this.ctx.audit(actor, 'delete', 'ifc-template', id, { name: cur.name });
    });
  }
}
