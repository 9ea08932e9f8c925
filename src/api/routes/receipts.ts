import { recordFinalOnPush } from '../../receipts/final-on-push';
import { freshNotices, storeReceipts, suppressOptOut } from '../../receipts/receipt-store';
import { checkReceiptSource } from '../../security/receipt-sources';
import { accountForToken, receiptPushUrl } from '../../security/receipt-token';
import { receiptSignal, sendWorkflowId } from '../../shared/contract';
import type { Channel } from '../../shared/states';
import type { VendorAccount } from '../../vendors/types';
import { receiptPushAnswerSchema } from '../answers';
import type { ApiDeps } from '../deps';
import { RECEIPT_TOKEN, ok } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { receiptRawBody } from '../raw-body';
import { HttpError } from '../http-error';
import { countReceipts } from '../../observability/metrics';
import { receiptPathSchema, receiptPushBodySchema } from '../schemas';
import { refuseNul } from '../nul-guard';

/** `/v1/receipts/<provider>/<token>` → `/v1/receipts/<provider>/***`: the token never reaches a log. */
export function redactReceiptToken(path: string): string {
  return path.replace(/^(\/v1\/receipts\/[^/]+\/)[^/]+/, '$1***');
}

export interface PushedAccountRow {
  id: string;
  name: string;
  provider: string;
  channel: string;
  config: unknown;
  secretCiphertext: string | null;
}

/** The account a push came to, as adapters read it; its secrets opened only for a signature check. */
function pushTarget(deps: ApiDeps, row: PushedAccountRow, withSecrets: boolean): VendorAccount {
  return {
    id: row.id, name: row.name, provider: row.provider, channel: row.channel as Channel,
    config: (row.config ?? {}) as Record<string, unknown>,
    secrets: withSecrets && row.secretCiphertext ? deps.secrets.open(row.secretCiphertext) : {},
  };
}

/**
 * `POST /v1/receipts/:provider/:accountToken`: a vendor pushes delivery
 * reports to the URL of one account (src/security/receipt-token.ts). A
 * wrong token or provider is a 401 that says nothing more; a right one only
 * touches that account's sends. An account whose config lists
 * `receiptSources` takes pushes only from those addresses (403 otherwise;
 * the request's address is the socket's unless TRUST_PROXY is set); a
 * provider that signs its pushes (http-gateway with `receiptPush.signature`)
 * has the signature checked over the raw body (403 otherwise). Each receipt is stored first, then signalled
 * to its send's workflow; a signal that cannot be delivered now is not lost,
 * because the workflow's poll reads the table.
 */
export const receiptRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/receipts/:provider/:accountToken',
    tag: 'receipts',
    summary: 'A vendor pushes delivery reports',
    description: "No API key: the URL's account token is the credential (an admin reads the URL as `receiptUrl` of the account). A report only touches that account's sends.",
    access: RECEIPT_TOKEN,
    params: receiptPathSchema,
    body: receiptPushBodySchema,
    bodyReadByHandler: true,
    answers: ok('stored (and signalled to the send workflows); the body is the acknowledgement the vendor expects', receiptPushAnswerSchema),
    errors: {
      400: "INVALID_RECEIPT: the body is not the provider's report format; INVALID_REQUEST: a NUL character in the body (`details.fields` names where)",
      401: 'UNAUTHENTICATED: unknown provider or wrong account token (no more said)',
      403: "RECEIPT_SOURCE_REFUSED: the request's address is not in the account's receiptSources; INVALID_RECEIPT_SIGNATURE: an http-gateway push whose signature header does not verify",
      413: 'TOO_MANY_RECEIPTS: more receipts in one push than RECEIPT_PUSH_MAX_RECEIPTS (`details.limit`); split the push',
    },
    handler: async ({ deps, req, res, params }) => {
      const { provider, accountToken } = params;
      const adapter = deps.vendors.get(provider);
      const accountsOf = () => deps.prisma.account.findMany({ where: { provider }, select: { id: true, name: true, provider: true, channel: true, config: true, secretCiphertext: true } });
      // The provider's accounts as this process keeps them (API_LOOKUP_CACHE_MS); a token none of them
      // matches is looked up again, so an account added a moment ago takes pushes at once.
      const account = adapter?.parsePushedReceipts
        ? await deps.lookups.receiptAccounts.pick(provider, accountsOf, (accounts) => accountForToken(deps.config.RECEIPT_TOKEN_KEY, accounts ?? [], accountToken))
        : null;
      if (!adapter?.parsePushedReceipts || !account) {
        deps.logger.warn({ provider, ip: req.ip }, 'receipt push refused: unknown provider or account token');
        throw new HttpError(401, 'UNAUTHENTICATED', 'unknown receipt endpoint');
      }
      const source = checkReceiptSource(account.config, req.ip);
      if (!source.allowed) {
        deps.logger.warn({ provider, accountId: account.id, reason: source.reason }, 'receipt push refused: source not allowed');
        throw new HttpError(403, 'RECEIPT_SOURCE_REFUSED', 'this source may not push receipts for the account');
      }
      const target = pushTarget(deps, account, adapter.verifyPush !== undefined);
      const url = receiptPushUrl(deps.config.PUBLIC_BASE_URL, deps.config.RECEIPT_TOKEN_KEY, account);
      const forged = adapter.verifyPush?.(target, { rawBody: receiptRawBody(req), header: (name) => req.get(name), url }) ?? null;
      if (forged) {
        deps.logger.warn({ provider, accountId: account.id, reason: forged }, 'receipt push refused: signature');
        throw new HttpError(403, 'INVALID_RECEIPT_SIGNATURE', 'the push signature does not verify');
      }
      refuseNul(req.body);
      let parsed;
      try {
        parsed = adapter.parsePushedReceipts(req.body, target);
      } catch (error) {
        throw new HttpError(400, 'INVALID_RECEIPT', error instanceof Error ? error.message : 'malformed receipt body');
      }
      // Each receipt is a few queries: a push is bounded so that one request cannot hold the database for long.
      const max = deps.config.RECEIPT_PUSH_MAX_RECEIPTS;
      if (parsed.length > max) {
        deps.logger.warn({ provider, accountId: account.id, receipts: parsed.length, max }, 'receipt push refused: too many receipts');
        throw new HttpError(413, 'TOO_MANY_RECEIPTS', `this push carries ${parsed.length} receipts; at most ${max} per push (RECEIPT_PUSH_MAX_RECEIPTS): split it into smaller pushes`, { field: 'body', limit: max, received: parsed.length });
      }
      const stored = await storeReceipts(deps.prisma, account, parsed, 'PUSH');
      countReceipts(deps.metrics, provider, parsed);
      await deps.routeHealth.store.recordReceipts(account.id, freshNotices(stored));
      for (const receiver of adapter.parsePushedOptOuts?.(req.body) ?? []) await suppressOptOut(deps.prisma, account, receiver);
      await Promise.all(
        stored
          .filter((s): s is typeof s & { sendId: string } => s.sendId !== null)
          .map(async ({ sendId, runId, notice }) => {
            const { recordedBy, signal } = await recordFinalOnPush(deps.prisma, deps.metrics, { ...account, channel: account.channel as Channel }, { sendId, runId, notice });
            if (!signal) return;
            try {
              await deps.temporal.workflow.getHandle(sendWorkflowId(sendId)).signal(receiptSignal, { ...notice, recordedBy });
            } catch (error) {
              deps.logger.info({ sendId, err: error }, 'receipt stored; signal not delivered (the workflow will poll it)');
            }
          }),
      );
      res.json(adapter.pushAnswer ?? { code: 'OK', received: parsed.length });
    },
  }),
];
