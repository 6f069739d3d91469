// The Sh application (TS 29.328 / TS 29.329): UDR answered from the IMS subscriber record.
// PUR (repository data) and SNR/PNR (subscriptions) need the Sh repository in the store, which
// has its tables but no repository yet: they are refused with 5101 OPERATION_NOT_ALLOWED for now.
import type { Message } from '../../diameter/codec/message.js';
import type { LocalApplication, LocalContext } from '../../node/local-application.js';
import type { Store } from '../../store/model.js';
import { TGPP, cxAnswer, type Origin } from '../cx/cx-kit.js';
import { SH_APPLICATION_ID, ShExp, userData, type ShOptions } from './user-data.js';

export type { ShOptions } from './user-data.js';

const Cmd = { UDR: 306, PUR: 307, SNR: 308 } as const;

export interface ShDeps {
  readonly store: Store;
  readonly options?: ShOptions;
}

export function createShApplication(deps: ShDeps): LocalApplication {
  let ctx: LocalContext | undefined;
  let origin: Origin | undefined;
  return {
    application: { id: SH_APPLICATION_ID, vendorId: TGPP, kind: 'auth' },
    name: 'sh',
    attach(c: LocalContext): void {
      ctx = c;
      origin = { host: c.identity, realm: c.realm };
    },
    handle(req: Message): Message {
      if (!ctx || !origin) throw new Error('Sh application used before attach()');
      if (req.commandCode === Cmd.UDR) return userData(ctx.dict, deps.store, deps.options ?? {}, origin, req);
      return cxAnswer(ctx.dict, req, origin, { experimental: ShExp.OPERATION_NOT_ALLOWED }, [], SH_APPLICATION_ID);
    },
  };
}
