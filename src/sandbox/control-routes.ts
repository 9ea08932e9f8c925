/**
 * Manual fault control of the sandbox vendor, mount at `/_control`. Not
 * authenticated: the sandbox is a test double, never a real vendor.
 *
 *   GET    /_control/faults
 *   POST   /_control/faults  { kind, count?: 1, always?: false, timeoutMs?, factor? }
 *   DELETE /_control/faults
 *
 * All answer `{ code: 'OK', queued: Fault[], always: Fault | null }`. `herald sandbox` calls them.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { answerError } from './answers';
import { FAULT_KINDS, type FaultControl } from './faults';

const injectSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  count: z.number().int().positive().default(1),
  always: z.boolean().default(false),
  timeoutMs: z.number().int().positive().optional(),
  factor: z.number().positive().optional(),
});

export function createControlRouter(faults: FaultControl): Router {
  const router = express.Router();
  router.get('/faults', (_req, res) => {
    res.json({ code: 'OK', ...faults.state() });
  });
  router.post('/faults', express.json(), (req, res) => {
    const parsed = injectSchema.safeParse(req.body);
    if (!parsed.success) {
      answerError(res, { status: 400, code: 'BAD_REQUEST', message: z.prettifyError(parsed.error) });
      return;
    }
    const { kind, count, always, timeoutMs, factor } = parsed.data;
    if (always) faults.always(kind, { timeoutMs, factor });
    else faults.inject(kind, count, { timeoutMs, factor });
    res.json({ code: 'OK', ...faults.state() });
  });
  router.delete('/faults', (_req, res) => {
    faults.clear();
    res.json({ code: 'OK', ...faults.state() });
  });
  return router;
}
