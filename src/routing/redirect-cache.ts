// Redirect indications (RFC 6733 §6.13, 3006 DIAMETER_REDIRECT_INDICATION) remembered as
// freeDiameter's rt_redirect does (specs/rt-default.md §4): per Redirect-Host-Usage, a key taken
// from the request, the hosts to prefer and the peer that redirected, until
// Redirect-Max-Cache-Time runs out. Lookups add the usage's score to the named hosts and -60
// (SENT_REDIRECT) to the redirecting peer.
import { Enum } from '../diameter/dictionary/generated/constants.js';
import { Score } from './rule-set.js';

/** Redirect-Host-Usage values (RFC 6733 §6.13). */
export const Usage = Enum.RedirectHostUsage;
import type { RouteRequest } from './scoring.js';

/** Score each usage adds to the hosts it names (redir_entries.c). */
const USAGE_SCORE: Record<number, number> = {
  [Usage.DONT_CACHE]: Score.REDIR_ONCE,
  [Usage.ALL_SESSION]: Score.REDIR_SESSION,
  [Usage.ALL_USER]: Score.REDIR_USER,
  [Usage.REALM_AND_APPLICATION]: Score.REDIR_REALM_APP,
  [Usage.ALL_REALM]: Score.REDIR_REALM,
  [Usage.ALL_APPLICATION]: Score.REDIR_APP,
  [Usage.ALL_HOST]: Score.REDIR_HOST,
};
const USAGE_NAME = ['DONT_CACHE', 'ALL_SESSION', 'ALL_REALM', 'REALM_AND_APPLICATION', 'ALL_APPLICATION', 'ALL_HOST', 'ALL_USER'];

export interface Redirect {
  usage: number;
  /** Redirect-Host identities (lower case). */
  hosts: string[];
  /** The peer that answered 3006 (lower case). */
  from: string;
}

/** The cache key of a request for a usage; undefined when the request lacks the field. */
function keyOf(usage: number, r: RouteRequest): string | undefined {
  switch (usage) {
    case Usage.ALL_SESSION:
      return r.sessionId;
    case Usage.ALL_REALM:
      return r.destinationRealm?.toLowerCase();
    case Usage.REALM_AND_APPLICATION:
      return r.destinationRealm === undefined ? undefined : `${r.destinationRealm.toLowerCase()}/${r.applicationId}`;
    case Usage.ALL_APPLICATION:
      return String(r.applicationId);
    case Usage.ALL_HOST:
      return r.destinationHost?.toLowerCase();
    case Usage.ALL_USER:
      return r.userName;
    default:
      return undefined;
  }
}

/** Adds a redirect's scores to one candidate. */
export function applyRedirect(rd: Redirect, identity: string, add: (delta: number, source: string) => void): void {
  const id = identity.toLowerCase();
  const name = USAGE_NAME[rd.usage] ?? String(rd.usage);
  if (id === rd.from) add(Score.SENT_REDIRECT, `redirect ${name}: ${rd.from} redirected (SENT_REDIRECT)`);
  if (rd.hosts.includes(id)) add(USAGE_SCORE[rd.usage] ?? Score.REDIR_ONCE, `redirect ${name} from ${rd.from}`);
}

/** applyRedirect's total for one candidate (lower-case identity), without sources: the relay path. */
export function redirectDelta(rd: Redirect, idLower: string): number {
  let d = 0;
  if (idLower === rd.from) d += Score.SENT_REDIRECT;
  if (rd.hosts.includes(idLower)) d += USAGE_SCORE[rd.usage] ?? Score.REDIR_ONCE;
  return d;
}

interface Entry extends Redirect {
  expires: number;
}

export class RedirectCache {
  /** usage → key → entry; ALL_SESSION and ALL_USER entries replace older ones with the same key. */
  private readonly byUsage = new Map<number, Map<string, Entry>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Remembers a redirect for `ttlMs` (0 means freeDiameter's 10 s). DONT_CACHE is not stored. */
  add(rd: Redirect, req: RouteRequest, ttlMs: number, now: number): void {
    const key = keyOf(rd.usage, req);
    if (rd.usage === Usage.DONT_CACHE || key === undefined) return;
    let m = this.byUsage.get(rd.usage);
    if (!m) this.byUsage.set(rd.usage, (m = new Map()));
    if (!m.has(key)) this.count++;
    m.set(key, { ...rd, expires: now + (ttlMs > 0 ? ttlMs : 10_000) });
  }

  /** Forgets expired entries (called now and then, so per-session entries cannot pile up). */
  purge(now: number): void {
    for (const m of this.byUsage.values()) {
      for (const [k, e] of m) {
        if (e.expires <= now) {
          m.delete(k);
          this.count--;
        }
      }
    }
  }

  /** The live redirects that apply to a request. */
  lookup(req: RouteRequest, now: number): Redirect[] {
    if (this.count === 0) return [];
    const out: Redirect[] = [];
    for (const [usage, m] of this.byUsage) {
      const key = keyOf(usage, req);
      if (key === undefined) continue;
      const e = m.get(key);
      if (!e) continue;
      if (e.expires <= now) {
        m.delete(key);
        this.count--;
        continue;
      }
      out.push(e);
    }
    return out;
  }
}
