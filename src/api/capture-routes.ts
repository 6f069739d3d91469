// Admin API for the capture of the node's own traffic (docs/pcaps.md): its state, and switching
// it on or off without a restart. The file, rotation and peers stay as configured.
import type { FastifyInstance } from 'fastify';
import type { TrafficCapture } from '../capture/traffic-capture.js';
import { ErrorCode } from '../errors.js';

function state(c: TrafficCapture | undefined): Record<string, unknown> {
  return c ? { configured: true, enabled: c.enabled, file: c.currentFile, messages: c.messages } : { configured: false, enabled: false };
}

/** GET /api/v1/capture and POST /api/v1/capture {"enabled": true|false}. */
export function captureRoutes(app: FastifyInstance, capture: () => TrafficCapture | undefined): void {
  app.get('/api/v1/capture', { schema: { tags: ['capture'], summary: 'state of the capture of the node\'s own traffic' } }, async () => state(capture()));
  app.post('/api/v1/capture', { schema: { tags: ['capture'], summary: 'switch the capture on or off' } }, async (req, reply) => {
    const enabled = (req.body as { enabled?: unknown } | undefined)?.enabled;
    if (typeof enabled !== 'boolean') {
      return reply.code(400).send({ statusCode: 400, error: 'bad_request', code: ErrorCode.API_VALIDATION, field: 'enabled', message: 'body.enabled: expected true or false' });
    }
    const c = capture();
    if (!c) {
      return reply.code(409).send({ statusCode: 409, error: 'not_configured', code: ErrorCode.API_VALIDATION, field: 'enabled', message: 'no capture section in the configuration (capture.file)' });
    }
    c.setEnabled(enabled);
    return state(c);
  });
}
