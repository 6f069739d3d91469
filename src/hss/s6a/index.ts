// The S6a/S6d HSS application (TS 29.272): AIR, ULR, PUR and NOR answered; CLR, IDR and DSR sent
// through the node. `createS6aApplication` is what `diamond start` and the tests plug into a node.
import { pino, type Logger } from 'pino';
import { avp } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import type { LocalApplication, LocalContext } from '../../node/local-application.js';
import type { S6aNotification, Store, SubscriberChangedEvent } from '../../store/model.js';
import { S6A_APPLICATION_ID, VENDOR_3GPP, s6aAnswer, type Origin } from './answer.js';
import { authenticationInformation } from './authentication-information.js';
import { resolveOptions, type S6aContext, type S6aOptions } from './context.js';
import { notify } from './notify.js';
import { Outbound, type OutboundRecord } from './outbound.js';
import { purgeUe } from './purge-ue.js';
import { reset } from './reset.js';
import { onSubscriberChanged } from './subscription-change.js';
import { updateLocation } from './update-location.js';

export { S6aError } from './answer.js';
export { CancellationType } from './cancel-location.js';
export type { S6aOptions } from './context.js';
export type { S6aNotification as Notification } from '../../store/model.js';
export type { OutboundRecord } from './outbound.js';
export { UlrFlag } from './update-location.js';

export interface S6aApplication extends LocalApplication {
  /** HSS-initiated requests (CLR/IDR/DSR) and their outcomes, most recent last. */
  readonly outbound: readonly OutboundRecord[];
  onOutbound(fn: (r: OutboundRecord) => void): () => void;
  /** Last NOR per IMSI (from the store). */
  notification(imsi: string): S6aNotification | undefined;
  /**
   * Sends RSR to every MME/SGSN serving subscribers whose IMSI starts with one of `userIds` (all
   * when empty); resolves with the outcome per node. Throws RangeError on a malformed User-Id.
   */
  reset(userIds?: readonly string[]): Promise<OutboundRecord[]>;
  /** Resolves when every CLR/IDR/DSR/RSR sent so far has its final outcome. */
  settled(): Promise<void>;
  /** Stops listening to store changes. */
  close(): void;
}

export function createS6aApplication(deps: { store: Store; options?: S6aOptions }): S6aApplication {
  const opts = resolveOptions(deps.options);
  let log: Logger = pino({ level: 'silent' });
  const outbound = new Outbound(opts.attempts, opts.retryDelayMs, () => log);
  let c: S6aContext | undefined;
  const listener = (e: SubscriberChangedEvent): void => {
    if (c) onSubscriberChanged(c, e);
  };

  return {
    application: { id: S6A_APPLICATION_ID, vendorId: VENDOR_3GPP, kind: 'auth' },
    name: 's6a',
    attach(ctx: LocalContext) {
      log = ctx.log;
      outbound.attach(ctx);
      const origin: Origin = { dict: ctx.dict, host: ctx.identity, realm: ctx.realm, features: opts.supportedFeatures };
      c = { origin, store: deps.store, opts, log, outbound };
      if (opts.pushOnChange) deps.store.on('subscriber-changed', listener);
    },
    handle(req: Message): Message | Promise<Message> {
      if (!c) throw new Error('S6a application used before attach');
      switch (req.commandCode) {
        case 318:
          return authenticationInformation(c, req);
        case 316:
          return updateLocation(c, req);
        case 321:
          return purgeUe(c, req);
        case 323:
          return notify(c, req);
        default:
          // CLR/IDR/DSR/RSR requests are ours to send, not to answer (RFC 6733 §7.1.3: 3001, E bit).
          return s6aAnswer(c.origin, req, { result: 3001 }, [avp(c.origin.dict, 'Error-Message', `command ${req.commandCode} is not answered by an HSS`)]);
      }
    },
    get outbound() {
      return outbound.recent;
    },
    onOutbound: (fn) => outbound.onRecord(fn),
    notification: (imsi) => deps.store.servingNodes.lastNotification(imsi),
    reset(userIds = []) {
      if (!c) throw new Error('S6a application used before attach');
      return reset(c, userIds);
    },
    settled: () => outbound.settled(),
    close() {
      deps.store.off('subscriber-changed', listener);
    },
  };
}
