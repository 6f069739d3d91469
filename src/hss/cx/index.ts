// The Cx application (TS 29.228 / TS 29.229): answers UAR, MAR, SAR and LIR from the store, and
// sends RTR (operator de-registration, subscriber deleted) and PPR (profile changed while an
// S-CSCF holds it): one request per S-CSCF holding IMPUs of the IMPI (the S-CSCF is kept per IMPU),
// to the Origin-Host that S-CSCF's SARs came from.
import { errorAnswer } from '../../diameter/codec/answer.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { LocalApplication, LocalContext, RequestContext } from '../../node/local-application.js';
import { implicitRegistrationSets } from '../../store/implicit-set.js';
import type { ImsSubscriberChangedEvent, Store } from '../../store/model.js';
import type { RandSource } from '../auth/index.js';
import { CX_APPLICATION_ID, CxAvp, Rc, TGPP, str, type Origin } from './cx-kit.js';
import { locationInfo } from './location-info.js';
import { multimediaAuth } from './multimedia-auth.js';
import type { CxOptions } from './options.js';
import { buildPpr } from './push-profile.js';
import { ReasonCode, buildRtr, type ScscfPeer } from './registration-termination.js';
import { assignmentOf, groupByScscf } from './scscf-groups.js';
import { serverAssignment, type SarResult } from './server-assignment.js';
import { userAuthorization } from './user-authorization.js';

export type { CxOptions, ServerCapabilities, ChargingInformation } from './options.js';
export { ReasonCode } from './registration-termination.js';

const Cmd = { UAR: 300, SAR: 301, LIR: 302, MAR: 303 } as const;

/** S-CSCFs whose Diameter identity is remembered; more Server-Names than this evict the oldest. */
const MAX_KNOWN_SCSCFS = 1024;

export interface CxDeps {
  readonly store: Store;
  readonly options?: CxOptions;
  /** RAND source for AKA items and Digest-MD5 nonces (tests); default crypto random. */
  readonly randSource?: RandSource;
}

/** What one S-CSCF was sent and answered. */
export interface ScscfOutcome {
  /** The S-CSCF's SIP URI (Server-Name) the IMPUs are assigned to. */
  readonly scscf: string;
  /** Destination-Host of the request; null when no Diameter identity is known (nothing sent). */
  readonly host: string | null;
  /** The public identities in the request (RTR Public-Identity; PPR User-Data). */
  readonly impus: readonly string[];
  /** RTR: the other IMPIs of the subscription in Associated-Identities (cleared with it on 2001). */
  readonly associatedImpis: readonly string[];
  /** Result-Code (or Experimental-Result-Code) of the answer; the node's own 3002/3003 when nobody answered or no route; null: none. */
  readonly resultCode: number | null;
  /** The answer was 2001 (for RTR: those assignments are cleared). */
  readonly ok: boolean;
}

export interface PushOutcome {
  readonly sent: boolean;
  /** 2001 when every S-CSCF answered 2001, else the first other result (absent when it had none). */
  readonly resultCode?: number;
  readonly reason?: 'unknown-user' | 'unknown-impu' | 'not-assigned' | 'not-attached';
  /** One entry per S-CSCF, in the order of the IMPI's IMPUs. */
  readonly scscfs: readonly ScscfOutcome[];
}

export interface DeregisterOptions {
  /** Only these IMPUs of the IMPI, with their implicit registration sets; default every held IMPU. */
  readonly impus?: readonly string[];
  /**
   * The whole IMS subscription is de-registered: each RTR names in Associated-Identities the other
   * IMPIs of the subscription held at that S-CSCF. Default: PERMANENT_TERMINATION without `impus`.
   */
  readonly wholeSubscription?: boolean;
}

export interface CxApplication extends LocalApplication {
  /**
   * RTR to every S-CSCF holding IMPUs of the IMPI, each with its own IMPUs; on its 2001 exactly
   * those assignments (and the associated IMPIs' at that S-CSCF) become NOT_REGISTERED.
   */
  deregister(impi: string, reasonCode?: number, reasonInfo?: string, opts?: DeregisterOptions): Promise<PushOutcome>;
  /** PPR with the current profile to every S-CSCF holding IMPUs of the IMPI. */
  pushProfile(impi: string): Promise<PushOutcome>;
  /** Stops listening to store changes. */
  close(): void;
}

function resultOf(m: Message): number | undefined {
  const rc = m.avps.find((a) => a.code === 268 && a.vendorId === 0)?.value;
  if (typeof rc === 'number') return rc;
  const er = m.avps.find((a) => a.code === 297)?.avps?.find((a) => a.code === 298)?.value;
  return typeof er === 'number' ? er : undefined;
}

function notSent(reason: NonNullable<PushOutcome['reason']>): PushOutcome {
  return { sent: false, reason, scscfs: [] };
}

function summary(scscfs: readonly ScscfOutcome[]): PushOutcome {
  const bad = scscfs.find((s) => !s.ok);
  const rc = bad ? bad.resultCode : Rc.SUCCESS;
  return { sent: scscfs.some((s) => s.host !== null), ...(rc !== null ? { resultCode: rc } : {}), scscfs };
}

/** Diameter identity of an S-CSCF from its SIP URI (sip:scscf.ims.test:6060;transport=tcp → scscf.ims.test). */
export function hostOfSipUri(uri: string): string | undefined {
  const m = /^sips?:(?:[^@]*@)?([^:;>?]+)/i.exec(uri.trim());
  return m?.[1];
}

export function createCxApplication(deps: CxDeps): CxApplication {
  const store = deps.store;
  const options = deps.options ?? {};
  let ctx: LocalContext | undefined;
  let origin: Origin | undefined;
  /**
   * Origin-Host/Realm of the SARs per Server-Name (the S-CSCF's SIP URI): every IMPI served by
   * that S-CSCF finds it, whichever IMPI's SAR taught it.
   */
  const scscfPeers = new Map<string, ScscfPeer>();
  /** SAA User-Data per IMPI and leading IMPU, kept while the profiles are unchanged. */
  const userData = store.imsSubscribers.profileCache<Avp>();

  /** Remembers the Diameter identity of the S-CSCF named in a successful SAR (RTR/PPR go there). */
  function noteScscf(req: Message, r: SarResult): Message {
    if (r.impi === undefined) return r.answer;
    const serverName = str(req.avps, CxAvp.SERVER_NAME, TGPP);
    const host = str(req.avps, 264);
    const realm = str(req.avps, 296);
    if (!serverName || !host || !realm) return r.answer;
    const known = scscfPeers.get(serverName);
    if (known?.host === host && known.realm === realm) return r.answer;
    if (!known && scscfPeers.size >= MAX_KNOWN_SCSCFS) scscfPeers.delete(scscfPeers.keys().next().value!);
    scscfPeers.set(serverName, { host, realm });
    return r.answer;
  }

  function peerOf(scscfName: string): ScscfPeer | undefined {
    const known = scscfPeers.get(scscfName);
    if (known) return known;
    const host = hostOfSipUri(scscfName);
    if (!host || !ctx) return undefined;
    return { host, realm: options.scscfRealm ?? ctx.realm };
  }

  /** The answer's result; 3002 when nobody answered (built by the node); null when sending failed. */
  async function ask(m: Message, what: string, impi: string): Promise<number | null> {
    try {
      return resultOf(await ctx!.request(m)) ?? null;
    } catch (err) {
      ctx?.log.warn({ err: (err as Error).message, impi }, `${what} failed`);
      return null;
    }
  }

  /** After RTA 2001: NOT_REGISTERED for those of `impus` (all when omitted) still at `scscf`. */
  function clearAt(impi: string, scscf: string, impus?: readonly string[]): void {
    const sub = store.imsSubscribers.get(impi);
    if (!sub) return;
    // A SAR answered meanwhile may have moved an IMPU to another S-CSCF: that one stays.
    const still = sub.impus.filter((p) => p.scscfName === scscf && (impus === undefined || impus.includes(p.impu))).map((p) => p.impu);
    if (still.length > 0) store.imsSubscribers.setServer(impi, null, 'not-registered', still);
  }

  /** One RTR per group; `associated(scscf)`: the other IMPIs held there, cleared with it. */
  async function terminate(
    impi: string,
    groups: Map<string, string[]>,
    reasonCode: number,
    reasonInfo: string | undefined,
    associated: (scscf: string) => string[],
    clear: boolean,
  ): Promise<ScscfOutcome[]> {
    return Promise.all(
      [...groups].map(async ([scscf, impus]): Promise<ScscfOutcome> => {
        const others = associated(scscf);
        const to = peerOf(scscf);
        if (!to || !ctx) return { scscf, host: null, impus, associatedImpis: others, resultCode: null, ok: false };
        const rc = await ask(buildRtr(ctx, to, { impi, impus, associated: others }, reasonCode, reasonInfo), 'RTR', impi);
        const ok = rc === Rc.SUCCESS;
        if (ok && clear) {
          clearAt(impi, scscf, impus);
          for (const o of others) clearAt(o, scscf);
        }
        return { scscf, host: to.host, impus, associatedImpis: others, resultCode: rc, ok };
      }),
    );
  }

  const onChange = (e: ImsSubscriberChangedEvent): void => {
    if (!ctx) return;
    if (e.kind === 'deleted') {
      // The rows are gone: the event carries each IMPU's assignment as it was.
      const held = e.assignments ?? e.impus.map((impu) => ({ impu, scscfName: e.scscfName, state: 'registered' as const }));
      const groups = groupByScscf(held);
      if (groups.size === 0) return;
      // Only this IMPI ends: the subscription's other IMPIs stay provisioned and registered.
      terminate(e.impi, groups, ReasonCode.PERMANENT_TERMINATION, undefined, () => [], false)
        .then((r) => {
          for (const o of r) if (!o.ok) ctx?.log.warn({ impi: e.impi, scscf: o.scscf, resultCode: o.resultCode }, 'RTR for a deleted IMS subscriber not accepted');
        })
        .catch((err: Error) => ctx?.log.warn({ err: err.message, impi: e.impi }, 'RTR failed'));
      return;
    }
    const sub = store.imsSubscribers.get(e.impi);
    if (!sub || groupByScscf(sub.impus.map(assignmentOf)).size === 0) return;
    app
      .pushProfile(e.impi)
      .then((r) => {
        for (const o of r.scscfs) if (!o.ok) ctx?.log.warn({ impi: e.impi, scscf: o.scscf, resultCode: o.resultCode }, 'PPR not accepted');
      })
      .catch((err: Error) => ctx?.log.warn({ err: err.message, impi: e.impi }, 'PPR failed'));
  };
  store.on('ims-subscriber-changed', onChange);

  const app: CxApplication = {
    application: { id: CX_APPLICATION_ID, vendorId: TGPP, kind: 'auth' },
    name: 'cx',
    attach(c: LocalContext): void {
      ctx = c;
      origin = { host: c.identity, realm: c.realm };
    },
    handle(req: Message, _rc: RequestContext): Message | Promise<Message> {
      if (!ctx || !origin) throw new Error('Cx application used before attach()');
      const dict = ctx.dict;
      switch (req.commandCode) {
        case Cmd.UAR:
          return userAuthorization(dict, store, options, origin, req);
        case Cmd.MAR:
          return multimediaAuth({ dict, store, options, origin, ...(deps.randSource ? { randSource: deps.randSource } : {}) }, req);
        case Cmd.SAR: {
          const r = serverAssignment({ dict, store, options, origin, userData }, req);
          return r instanceof Promise ? r.then((x) => noteScscf(req, x)) : noteScscf(req, r);
        }
        case Cmd.LIR:
          return locationInfo(dict, store, options, origin, req);
        default:
          // RTA/PPA arrive as answers; any other request is not ours (RFC 6733 §7.1.3).
          return errorAnswer(dict, req, origin, { resultCode: 3001, errorMessage: `Cx command ${req.commandCode} is not answered by the HSS`, failedAvp: undefined });
      }
    },
    async deregister(impi: string, reasonCode: number = ReasonCode.PERMANENT_TERMINATION, reasonInfo?: string, opts: DeregisterOptions = {}): Promise<PushOutcome> {
      if (!ctx) return notSent('not-attached');
      const sub = store.imsSubscribers.get(impi);
      if (!sub) return notSent('unknown-user');
      const named = opts.impus;
      if (named !== undefined && named.some((u) => !sub.impus.some((p) => p.impu === u))) return notSent('unknown-impu');
      // TS 29.228 §6.1.3: a public identity is de-registered with its implicit registration set.
      const scope = named === undefined ? sub.impus : implicitRegistrationSets(sub.impus, named);
      const groups = groupByScscf(scope.map(assignmentOf));
      if (groups.size === 0) return notSent('not-assigned');
      const whole = opts.wholeSubscription ?? (reasonCode === ReasonCode.PERMANENT_TERMINATION && named === undefined);
      // TS 29.229 §6.3.33, the same list the SAA carries, narrowed to the IMPIs held at each S-CSCF.
      const others = whole ? store.imsSubscribers.associatedImpis(impi).flatMap((i) => store.imsSubscribers.get(i) ?? []) : [];
      const associated = (scscf: string): string[] => others.filter((o) => groupByScscf(o.impus.map(assignmentOf)).has(scscf)).map((o) => o.impi);
      return summary(await terminate(impi, groups, reasonCode, reasonInfo, associated, true));
    },
    async pushProfile(impi: string): Promise<PushOutcome> {
      if (!ctx) return notSent('not-attached');
      const sub = store.imsSubscribers.get(impi);
      if (!sub) return notSent('unknown-user');
      const groups = groupByScscf(sub.impus.map(assignmentOf));
      if (groups.size === 0) return notSent('not-assigned');
      const scscfs = await Promise.all(
        [...groups].map(async ([scscf, impus]): Promise<ScscfOutcome> => {
          const to = peerOf(scscf);
          if (!to || !ctx) return { scscf, host: null, impus, associatedImpis: [], resultCode: null, ok: false };
          const rc = await ask(buildPpr(ctx, store, options, to, sub, impus), 'PPR', impi);
          return { scscf, host: to.host, impus, associatedImpis: [], resultCode: rc, ok: rc === Rc.SUCCESS };
        }),
      );
      return summary(scscfs);
    },
    close(): void {
      store.off('ims-subscriber-changed', onChange);
    },
  };
  return app;
}
