// Reading the audit log (rows are written by Ctx.audit in the transaction of each change).
import type { AuditAction, AuditEntry, AuditLog, Page, PageRequest } from '../model.js';
import { pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  id: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  resource_id: string;
  details: string;
}

const toEntry = (r: Row): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action as AuditAction,
  resource: r.resource,
  resourceId: r.resource_id,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

export class SqliteAuditLog implements AuditLog {
  private readonly ctx: Ctx;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  /** Newest first; `after` is an id. */
  list(page?: PageRequest & { resource?: string; resourceId?: string }): Page<AuditEntry> {
    const limit = pageLimit(page);
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filter = (sql: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(sql);
      args.push(value);
    };
    filter('id < ?', page?.after !== undefined ? Number(page.after) : undefined);
    filter('resource = ?', page?.resource);
    filter('resource_id = ?', page?.resourceId);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.ctx.db.prepare(sql).all(...args, limit + 1) as Row[];
    return toPage(rows, limit, toEntry, (e) => String(e.id));
  }
}
