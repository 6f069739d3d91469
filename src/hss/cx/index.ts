// The Cx application (TS 29.228 / TS 29.229): answers UAR, MAR, SAR and LIR from the store, and
// sends RTR (operator de-registration, subscriber deleted) and PPR (profile changed while an
// S-CSCF holds it) to the S-CSCF that last sent a SAR for the user.
import { errorAnswer } from '../../diameter/codec/answer.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { LocalApplication, LocalContext, RequestContext } from '../../node/local-application.js';
import type { ImsSubscriberChangedEvent, Store } from '../../store/model.js';
import type { RandSource } from '../auth/index.js';
import { CX_APPLICATION_ID, Rc, TGPP, str, type Origin } from './cx-kit.js';
import { locationInfo } from './location-info.js';
import { multimediaAuth } from './multimedia-auth.js';
import type { CxOptions } from './options.js';
import { buildPpr } from './push-profile.js';
import { ReasonCode, buildRtr, type ScscfPeer } from './registration-termination.js';
import { serverAssignment, type SarResult } from './server-assignment.js';
import { userAuthorization } from './user-authorization.js';

export type { CxOptions, ServerCapabilities, ChargingInformation } from './options.js';
export { ReasonCode } from './registration-termination.js';

const Cmd = { UAR: 300, SAR: 301, LIR: 302, MAR: 303 } as const;

export interface CxDeps {
  readonly store: Store;
  readonly options?: CxOptions;
  /** RAND source for AKA items and Digest-MD5 nonces (tests); default crypto random. */
  readonly randSource?: RandSource;
}

export interface PushOutcome {
  readonly sent: boolean;
  /** Result-Code (or Experimental-Result-Code) of the S-CSCF's answer; 3002 when nobody answered. */
  readonly resultCode?: number;
  readonly reason?: 'unknown-user' | 'not-assigned' | 'not-attached';
}

export interface CxApplication extends LocalApplication {
  /** RTR to the assigned S-CSCF; on success the assignment is cleared (NOT_REGISTERED). */
  deregister(impi: string, reasonCode?: number, reasonInfo?: string): Promise<PushOutcome>;
  /** PPR with the current profile to the S-CSCF holding it. */
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
  /** Origin-Host/Realm of the S-CSCF that sent the last SAR per IMPI (RTR/PPR Destination-Host). */
  const scscfPeers = new Map<string, ScscfPeer>();
  /** SAA User-Data per IMPI and leading IMPU, kept while the profiles are unchanged. */
  const userData = store.imsSubscribers.profileCache<Avp>();

  /** Remembers which S-CSCF holds the user after a successful SAR (RTR/PPR go there). */
  function noteScscf(req: Message, r: SarResult): Message {
    const impi = r.impi;
    if (impi === undefined) return r.answer;
    const host = str(req.avps, 264);
    const realm = str(req.avps, 296);
    if (host && realm) {
      if (r.changed?.registrationState === 'not-registered' && r.changed.scscfName === null) scscfPeers.delete(impi);
      else scscfPeers.set(impi, { host, realm });
    }
    return r.answer;
  }

  function peerOf(impi: string, scscfName: string | null): ScscfPeer | undefined {
    const known = scscfPeers.get(impi);
    if (known) return known;
    const host = scscfName ? hostOfSipUri(scscfName) : undefined;
    if (!host || !ctx) return undefined;
    return { host, realm: options.scscfRealm ?? ctx.realm };
  }

  async function send(m: Message): Promise<PushOutcome> {
    const a = await ctx!.request(m);
    const rc = resultOf(a);
    return rc === undefined ? { sent: true } : { sent: true, resultCode: rc };
  }

  const onChange = (e: ImsSubscriberChangedEvent): void => {
    if (!ctx) return;
    if (e.kind === 'deleted') {
      const to = peerOf(e.impi, e.scscfName);
      if (!to) return;
      scscfPeers.delete(e.impi);
      send(buildRtr(ctx, to, { impi: e.impi, impus: e.impus }, ReasonCode.PERMANENT_TERMINATION)).catch((err: Error) => ctx?.log.warn({ err: err.message, impi: e.impi }, 'RTR failed'));
      return;
    }
    const sub = store.imsSubscribers.get(e.impi);
    if (!sub || sub.registrationState === 'not-registered' || !sub.scscfName) return;
    app.pushProfile(e.impi).catch((err: Error) => ctx?.log.warn({ err: err.message, impi: e.impi }, 'PPR failed'));
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
    async deregister(impi: string, reasonCode: number = ReasonCode.PERMANENT_TERMINATION, reasonInfo?: string): Promise<PushOutcome> {
      if (!ctx) return { sent: false, reason: 'not-attached' };
      const sub = store.imsSubscribers.get(impi);
      if (!sub) return { sent: false, reason: 'unknown-user' };
      const to = peerOf(impi, sub.scscfName);
      if (!to || !sub.scscfName) return { sent: false, reason: 'not-assigned' };
      const out = await send(buildRtr(ctx, to, { impi, impus: sub.impus.map((p) => p.impu) }, reasonCode, reasonInfo));
      if (out.resultCode === Rc.SUCCESS) {
        store.imsSubscribers.setServer(impi, null, 'not-registered');
        scscfPeers.delete(impi);
      }
      return out;
    },
    async pushProfile(impi: string): Promise<PushOutcome> {
      if (!ctx) return { sent: false, reason: 'not-attached' };
      const sub = store.imsSubscribers.get(impi);
      if (!sub) return { sent: false, reason: 'unknown-user' };
      const to = peerOf(impi, sub.scscfName);
      if (!to || !sub.scscfName) return { sent: false, reason: 'not-assigned' };
      return send(buildPpr(ctx, store, options, to, sub));
    },
    close(): void {
      store.off('ims-subscriber-changed', onChange);
    },
  };
  return app;
}
