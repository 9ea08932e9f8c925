/**
 * The sandbox SMS vendor: a small HTTP server that behaves like an SMS
 * vendor. New users send through it by default; tests drive it with fault
 * injection. Herald's adapter for it is src/vendors/sandbox.ts.
 *
 * Wire format
 * -----------
 * Signing (send and pull): headers `X-App-Key`, `X-Timestamp` (unix seconds),
 * `X-Nonce`, `X-Signature` = hex HMAC-SHA256(appSecret,
 * `${timestamp}\n${nonce}\n${rawBody}`), raw body '' for a GET. Unknown key,
 * bad signature or a timestamp more than 300 s off →
 * 401 `{ code: 'AUTH_FAILED', message }`.
 *
 * `POST /v1/sms/send` `{ to, content, templateId?, clientRef }`
 *   200 `{ code: 'OK', message: 'accepted', messageId: 'sbx-<uuid>' }`.
 *   `clientRef` is the idempotency key: the same clientRef again answers the
 *   same messageId and is not sent (nor receipted) twice.
 *   Failures, all `{ code, message }`:
 *     400 INVALID_NUMBER (`to` not E.164), 400 BAD_REQUEST (body malformed),
 *     401 AUTH_FAILED, 402 INSUFFICIENT_BALANCE, 403 TEMPLATE_NOT_APPROVED,
 *     403 BLACKLISTED, 403 UNSUBSCRIBED, 429 RATE_LIMITED, 500 INTERNAL_ERROR.
 *
 * `POST /v1/sms/send-batch` `{ content, templateId?, messages: [{ to, clientRef }] }`
 *   (1 to 100 messages, one text for all): 200 `{ code: 'OK', results: [{ to,
 *   clientRef, code, message, messageId? }] }`, one result per message in
 *   order, `code` 'OK' (with messageId) or the refusal code of that receiver
 *   (INVALID_NUMBER, BLACKLISTED, UNSUBSCRIBED). A failure of the whole call
 *   answers like `/send` does. clientRef keeps its idempotency per message.
 *   The call takes one fault: invalid_number / blacklisted / unsubscribed
 *   refuse its first receiver, other send faults the whole call.
 *
 * Receipts: receiptDelayMs after an accepted send its receipt
 * `{ messageId, to, clientRef, status: 'DELIVRD' | 'UNDELIV', errCode, errMsg, doneTime (ISO) }`
 * exists. It is POSTed to receiptCallbackUrl (when set) as `{ receipts: [receipt] }`,
 * retried a few times with a short backoff, then given up (still pullable).
 * Receivers ending in 0000 get UNDELIV `MK:0005` (carrier blocked), ending in
 * 0001 get UNDELIV `MK:0001` (powered off), ending in 0115 get UNDELIV
 * `DB:0115` (unsubscribed); all others DELIVRD `DELIVRD`.
 *
 * `GET /v1/sms/receipts?messageIds=a,b` (signed, empty body)
 *   200 `{ code: 'OK', receipts: [...] }` with those that have a receipt yet.
 *
 * `GET /v1/sms/status?clientRef=x` (signed, empty body): the status query by
 *   the sender's reference. 200 `{ code: 'OK', messageId, clientRef, receipt }`
 *   (receipt null until there is one) for an accepted send, 404 `{ code:
 *   'NOT_FOUND' }` when no send with this clientRef was accepted.
 *
 * Faults: `faults` here, or over HTTP (unauthenticated) in control-routes.ts.
 * Each send call that passes the signature and body checks, a repeated
 * clientRef included, takes the next queued fault (else the standing one).
 */
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { errorAnswerHandler } from './answers';
import { createControlRouter } from './control-routes';
import { createFaultControl, type FaultControl } from './faults';
import { createReceiptScheduler, type ReceiptLogger } from './receipts';
import { createSmsRouter, type SentRecord } from './sms-routes';

export type { Fault, FaultControl, FaultKind, FaultOptions } from './faults';
export type { SandboxReceipt } from './receipts';
export type { SentRecord } from './sms-routes';

export interface SandboxVendorOptions {
  receiptDelayMs: number;
  receiptCallbackUrl: string | null;
  appKey: string;
  appSecret: string;
  logger?: ReceiptLogger;
}

export interface ListeningSandbox {
  port: number;
  /** Stops the server, lets held requests go and drops pending receipts and pushes. */
  close(): Promise<void>;
}

export interface SandboxVendor {
  app: Express;
  listen(port: number, host?: string): Promise<ListeningSandbox>;
  faults: FaultControl;
  /** Every send the vendor accepted, once per clientRef, oldest first. */
  sent(): SentRecord[];
}

const silentLogger: ReceiptLogger = { info: () => undefined };

async function startServer(server: Server, port: number, host: string | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

export function createSandboxVendor(options: SandboxVendorOptions): SandboxVendor {
  const logger = options.logger ?? silentLogger;
  const faults = createFaultControl();
  const receipts = createReceiptScheduler({
    delayMs: options.receiptDelayMs,
    callbackUrl: options.receiptCallbackUrl,
    logger,
  });
  const ledger = new Map<string, SentRecord>();
  const closing = new AbortController();
  // Every receipt push in flight listens for the vendor closing: many at once are expected, not a leak.
  setMaxListeners(0, closing.signal);

  const app = express();
  app.use('/v1/sms', createSmsRouter({
    credentials: { appKey: options.appKey, appSecret: options.appSecret },
    faults,
    receipts,
    ledger,
    closing: closing.signal,
    logger,
  }));
  app.use('/_control', createControlRouter(faults));
  app.use(errorAnswerHandler);

  return {
    app,
    faults,
    sent: () => [...ledger.values()],
    async listen(port, host) {
      const server = createServer(app);
      return {
        port: await startServer(server, port, host),
        async close() {
          closing.abort();
          receipts.close();
          await stopServer(server);
        },
      };
    },
  };
}
