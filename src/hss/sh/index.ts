// The Sh application (TS 29.328 / TS 29.329): answers UDR, PUR (RepositoryData) and SNR from the
// store, and sends PNR to subscribed application servers when what they watch changes: repository
// data written by another AS's PUR or through the REST API (the store's 'sh-repository-changed'),
// IMSUserState / S-CSCFName when a Cx SAR changes the registration, IMSPublicIdentity / MSISDN /
// InitialFilterCriteria when the operator edits the user.
import { errorAnswer } from '../../diameter/codec/answer.js';
import type { Message } from '../../diameter/codec/message.js';
import type { LocalApplication, LocalContext } from '../../node/local-application.js';
import type { ImsRegistrationChangedEvent, ImsSubscriberChangedEvent, ShRepositoryChangedEvent, ShSubscription, Store } from '../../store/model.js';
import { TGPP, type Origin } from '../cx/cx-kit.js';
import { profileUpdate } from './profile-update.js';
import { buildPnr, byApplicationServer } from './push-notification.js';
import { DataRef, repositoryDataXml } from './sh-data-xml.js';
import { SH_APPLICATION_ID, ShExp, type ShOptions } from './sh-kit.js';
import { subscribeNotifications } from './subscribe-notifications.js';
import { currentShData, userData } from './user-data.js';

export type { ShOptions } from './sh-kit.js';

const Cmd = { UDR: 306, PUR: 307, SNR: 308 } as const;

/** Which Data-References an operator edit of these IMS subscriber fields changes. */
const FIELD_REFS: Readonly<Record<string, number>> = { impus: DataRef.IMSPublicIdentity, msisdn: DataRef.MSISDN, ifcTemplateId: DataRef.InitialFilterCriteria };

export interface ShDeps {
  readonly store: Store;
  readonly options?: ShOptions;
  /** Clock for subscription expiry (tests); default the system clock. */
  readonly now?: () => Date;
}

export interface ShApplication extends LocalApplication {
  /** PNRs sent and not yet answered (tests and shutdown wait on these). */
  readonly inFlight: ReadonlySet<Promise<void>>;
  close(): void;
}

function experimentalOf(m: Message): number | undefined {
  const v = m.avps.find((a) => a.code === 297)?.avps?.find((a) => a.code === 298)?.value;
  return typeof v === 'number' ? v : undefined;
}

export function createShApplication(deps: ShDeps): ShApplication {
  const store = deps.store;
  const options = deps.options ?? {};
  const now = deps.now ?? ((): Date => new Date());
  let ctx: LocalContext | undefined;
  let origin: Origin | undefined;
  const inFlight = new Set<Promise<void>>();

  function send(impu: string, subs: readonly ShSubscription[], shData: string): void {
    const c = ctx;
    const first = subs[0];
    if (!c || !first) return;
    const p = c
      .request(buildPnr(c, { host: first.originHost, realm: first.originRealm }, impu, shData))
      .then((a) => {
        if (experimentalOf(a) === ShExp.NO_SUBSCRIPTION_TO_DATA) for (const s of subs) store.sh.unsubscribe(s.impu, s.dataReference, s.serviceIndication, s.originHost);
      })
      .catch((err: Error) => c.log.warn({ err: err.message, impu, as: first.originHost }, 'PNR failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  /** TS 29.328 §6.1.4: a deletion is notified as RepositoryData without ServiceData (sh-data-xml.ts). */
  const onRepository = (ch: ShRepositoryChangedEvent): void => {
    if (!ctx) return;
    // The AS that wrote it by PUR knows already; an API writer ("api:...") is never an Origin-Host.
    const subs = store.sh.subscribers(ch.impu, DataRef.RepositoryData, ch.serviceIndication, now()).filter((s) => s.originHost !== ch.writer);
    if (!subs.length) return;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Sh-Data>${repositoryDataXml(ch.serviceIndication, ch.sequenceNumber, ch.data)}</Sh-Data>`;
    for (const group of byApplicationServer(subs).values()) send(ch.impu, group, xml);
  };

  /** PNR with the current values of `refs` to every AS subscribed to any of them for these IMPUs. */
  function notifyImsData(impus: readonly string[], refs: readonly number[]): void {
    if (!ctx || !refs.length) return;
    const t = now();
    for (const impu of impus) {
      const subs = refs.flatMap((r) => store.sh.subscribers(impu, r, null, t));
      for (const group of byApplicationServer(subs).values()) {
        const xml = currentShData(store, options, impu, new Set(group.map((s) => s.dataReference)), []);
        if (xml !== undefined) send(impu, group, xml);
      }
    }
  }

  const onRegistration = (e: ImsRegistrationChangedEvent): void => {
    const refs: number[] = [];
    if (e.previous !== e.state) refs.push(DataRef.IMSUserState);
    if (e.previousScscfName !== e.scscfName) refs.push(DataRef.SCSCFName);
    notifyImsData(e.impus, refs);
  };
  const onImsChange = (e: ImsSubscriberChangedEvent): void => {
    if (e.kind !== 'updated') return;
    notifyImsData(e.impus, e.fields.flatMap((f) => (FIELD_REFS[f] !== undefined ? [FIELD_REFS[f]] : [])));
  };
  store.on('ims-registration-changed', onRegistration);
  store.on('ims-subscriber-changed', onImsChange);
  store.on('sh-repository-changed', onRepository);

  return {
    application: { id: SH_APPLICATION_ID, vendorId: TGPP, kind: 'auth' },
    name: 'sh',
    inFlight,
    attach(c: LocalContext): void {
      ctx = c;
      origin = { host: c.identity, realm: c.realm };
    },
    handle(req: Message): Message {
      if (!ctx || !origin) throw new Error('Sh application used before attach()');
      switch (req.commandCode) {
        case Cmd.UDR:
          return userData(ctx.dict, store, options, origin, req);
        case Cmd.PUR:
          return profileUpdate(ctx.dict, store, options, origin, req);
        case Cmd.SNR:
          return subscribeNotifications(ctx.dict, store, options, origin, req, now());
        default:
          // PNAs arrive as answers; any other request is not ours (RFC 6733 §7.1.3).
          return errorAnswer(ctx.dict, req, origin, { resultCode: 3001, errorMessage: `Sh command ${req.commandCode} is not answered by the HSS`, failedAvp: undefined });
      }
    },
    close(): void {
      store.off('ims-registration-changed', onRegistration);
      store.off('ims-subscriber-changed', onImsChange);
      store.off('sh-repository-changed', onRepository);
    },
  };
}
