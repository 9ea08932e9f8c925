import { Router } from 'express';
import { storeReceipts } from '../../receipts/receipt-store';
import { receiptSignal, sendWorkflowId } from '../../shared/contract';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';

/**
 * `POST /v1/receipts/:provider`: a vendor pushes delivery reports. Each is
 * stored first, then signalled to its send's workflow; a signal that cannot
 * be delivered now is not lost, because the workflow's poll reads the table.
 */
export function receiptsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/receipts/:provider', async (req, res) => {
    const provider = req.params.provider;
    const adapter = deps.vendors.get(provider);
    if (!adapter?.parsePushedReceipts) throw new HttpError(404, 'UNKNOWN_PROVIDER', `no receipt endpoint for ${provider}`);
    let parsed;
    try {
      parsed = adapter.parsePushedReceipts(req.body);
    } catch (error) {
      throw new HttpError(400, 'INVALID_RECEIPT', error instanceof Error ? error.message : 'malformed receipt body');
    }
    const stored = await storeReceipts(deps.prisma, provider, parsed, 'PUSH');
    for (const receipt of parsed) {
      deps.metrics.receipts.inc({ provider, status: receipt.status, reason: receipt.reason ?? 'none' });
    }
    await Promise.all(
      stored
        .filter((s): s is typeof s & { sendId: string } => s.sendId !== null)
        .map(async ({ sendId, notice }) => {
          try {
            await deps.temporal.workflow.getHandle(sendWorkflowId(sendId)).signal(receiptSignal, notice);
          } catch (error) {
            deps.logger.info({ sendId, err: error }, 'receipt stored; signal not delivered (the workflow will poll it)');
          }
        }),
    );
    res.json(adapter.pushAnswer ?? { code: 'OK', received: parsed.length });
  });

  return router;
}
