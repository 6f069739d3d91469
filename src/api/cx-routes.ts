// Admin API for Cx: the procedures the operator starts towards the S-CSCFs. De-registration sends
// RTR (TS 29.228 §6.1.3) and push-profile PPR (§6.1.5) to every S-CSCF holding public identities
// of the IMPI; the answer says, per S-CSCF, which IMPUs were sent and what it answered.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode } from '../errors.js';
import type { CxApplication, PushOutcome } from '../hss/cx/index.js';
import { ReasonCode } from '../hss/cx/index.js';
import { StoreError, type Store } from '../store/index.js';
import { errors } from './routes/route-kit.js';
import { impiParam } from './schemas.js';

const deregisterBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reasonCode: {
      type: 'integer',
      minimum: 0,
      maximum: 3,
      description: 'Deregistration-Reason Reason-Code: 0 PERMANENT_TERMINATION (default), 1 NEW_SERVER_ASSIGNED, 2 SERVER_CHANGE, 3 REMOVE_S-CSCF',
    },
    reasonInfo: { type: 'string', minLength: 1, maxLength: 256, description: 'Reason-Info for the user: 1 to 256 characters' },
    impus: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      description: 'public identities of this IMPI to de-register (with their implicit registration sets); default every assigned one',
      items: { type: 'string', minLength: 1, maxLength: 512, description: 'a public identity (SIP or tel URI)' },
    },
    wholeSubscription: {
      type: 'boolean',
      description: 'also de-register the other IMPIs of the IMS subscription held at each S-CSCF (Associated-Identities); default: reasonCode 0 without impus',
    },
  },
} as const;

interface DeregisterBody {
  reasonCode?: number;
  reasonInfo?: string;
  impus?: string[];
  wholeSubscription?: boolean;
}

const scscfResult = {
  type: 'object',
  properties: {
    scscf: { type: 'string', description: 'the S-CSCF SIP URI (Server-Name) the IMPUs were assigned to' },
    host: { type: ['string', 'null'], description: 'Destination-Host of the request; null: no Diameter identity known, nothing sent' },
    impus: { type: 'array', items: { type: 'string' } },
    associatedImpis: { type: 'array', items: { type: 'string' } },
    resultCode: { type: ['integer', 'null'], description: 'Result-Code or Experimental-Result-Code of the answer (3002: nobody answered)' },
    ok: { type: 'boolean' },
  },
} as const;

const outcome = { type: 'object', properties: { impi: { type: 'string' }, scscfs: { type: 'array', items: scscfResult } } } as const;

/** The HTTP answer of an RTR/PPR run, or the error that kept anything from being sent. */
async function answer(reply: FastifyReply, impi: string, out: PushOutcome): Promise<{ impi: string; scscfs: PushOutcome['scscfs'] } | FastifyReply> {
  switch (out.reason) {
    case 'unknown-user':
      throw new StoreError(ErrorCode.STORE_NOT_FOUND, `IMS subscriber ${impi} does not exist`, 'impi');
    case 'not-assigned':
      throw new StoreError(ErrorCode.STORE_CONFLICT, `no public identity of ${impi} (or of those named) is registered or unregistered at an S-CSCF`, 'impi');
    case 'unknown-impu':
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', code: ErrorCode.API_VALIDATION, field: 'impus', message: `impus: must be public identities of ${impi}` });
    case 'not-attached':
      throw new Error('the Cx application is not attached to the node');
    default:
      return { impi, scscfs: out.scscfs };
  }
}

export function cxRoutes(api: FastifyInstance, cx: CxApplication, store: Store): void {
  const tags = ['ims-subscribers'];

  api.post<{ Params: { impi: string }; Body: DeregisterBody | undefined }>(
    '/api/v1/ims-subscribers/:impi/deregister',
    {
      schema: {
        tags,
        summary: 'Operator de-registration: RTR to every S-CSCF holding IMPUs of the IMPI; their IMPUs become NOT_REGISTERED on 2001',
        params: impiParam,
        body: deregisterBody,
        response: { 200: outcome, ...errors },
      },
      // A POST without a body asks for the defaults.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
    },
    async (req, reply) => {
      const { impi } = req.params;
      const body = req.body ?? {};
      // 404 before judging the body's IMPUs: they cannot belong to an IMPI that does not exist.
      if (!store.imsSubscribers.get(impi)) return answer(reply, impi, { sent: false, reason: 'unknown-user', scscfs: [] });
      const opts = { ...(body.impus !== undefined ? { impus: body.impus } : {}), ...(body.wholeSubscription !== undefined ? { wholeSubscription: body.wholeSubscription } : {}) };
      return answer(reply, impi, await cx.deregister(impi, body.reasonCode ?? ReasonCode.PERMANENT_TERMINATION, body.reasonInfo, opts));
    },
  );

  api.post<{ Params: { impi: string } }>(
    '/api/v1/ims-subscribers/:impi/push-profile',
    {
      schema: {
        tags,
        summary: 'PPR with the current profile to every S-CSCF holding IMPUs of the IMPI',
        params: impiParam,
        response: { 200: outcome, ...errors },
      },
    },
    async (req, reply) => answer(reply, req.params.impi, await cx.pushProfile(req.params.impi)),
  );
}
