import { Router } from 'express';
import { storeReceipts } from '../../receipts/receipt-store';
import { accountForToken } from '../../security/receipt-token';
import { receiptSignal, sendWorkflowId } from '../../shared/contract';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { countReceipts } from '../../observability/metrics';
import { receiptPathSchema } from '../schemas';
import { parseOr400 } from '../validate';

/** `/v1/receipts/<provider>/<token>` → `/v1/receipts/<provider>/***`: the token never reaches a log. */
export function redactReceiptToken(path: string): string {
  return path.replace(/^(\/v1\/receipts\/[^/]+\/)[^/]+/, '$1***');
}

/**
 * `POST /v1/receipts/:provider/:accountToken`: a vendor pushes delivery
 * reports to the URL of one account (src/security/receipt-token.ts). A
 * wrong token or provider is a 401 that says nothing more; a right one only
 * touches that account's sends. Each receipt is stored first, then signalled
 * to its send's workflow; a signal that cannot be delivered now is not lost,
 * because the workflow's poll reads the table.
 */
export function receiptsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/receipts/:provider/:accountToken', async (req, res) => {
    const { provider, accountToken } = parseOr400(receiptPathSchema, req.params, 'params');
    const adapter = deps.vendors.get(provider);
    const candidates = adapter?.parsePushedReceipts
      ? await deps.prisma.account.findMany({ where: { provider }, select: { id: true, provider: true } })
      : [];
    const account = accountForToken(deps.config.RECEIPT_TOKEN_KEY, candidates, accountToken);
    if (!adapter?.parsePushedReceipts || !account) {
      deps.logger.warn({ provider, ip: req.ip }, 'receipt push refused: unknown provider or account token');
      throw new HttpError(401, 'UNAUTHENTICATED', 'unknown receipt endpoint');
    }
    let parsed;
    try {
      parsed = adapter.parsePushedReceipts(req.body);
    } catch (error) {
      throw new HttpError(400, 'INVALID_RECEIPT', error instanceof Error ? error.message : 'malformed receipt body');
    }
    const stored = await storeReceipts(deps.prisma, account, parsed, 'PUSH');
    countReceipts(deps.metrics, provider, parsed);
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
