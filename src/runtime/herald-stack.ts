import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { startApiServer, type RunningApi } from '../api/server';
import { SEED_SANDBOX_ACCOUNT } from '../db/seed';
import { createSandboxVendor, type SandboxVendor } from '../sandbox/sandbox-vendor';
import { whitelistFromConfig } from '../screening/whitelist';
import { receiptPushUrl } from '../security/receipt-token';
import { activitySettingsFromConfig, createSendWorker } from '../worker/create-worker';
import type { ProcessDeps } from './process-deps';

export interface StackOptions {
  apiPort: number;
  apiHost?: string;
  sandboxPort: number;
  sandboxReceiptDelayMs: number;
  /** What the sandbox vendor checks send calls with (the seeded account holds the same). */
  sandboxCredentials: { appKey: string; appSecret: string };
  /** Base of the URL the sandbox pushes receipts to; default: this API on 127.0.0.1. */
  receiptCallbackBase?: string;
  /** False when the send worker runs elsewhere (its own process); default true. */
  runWorker?: boolean;
}

export interface HeraldStack {
  api: RunningApi;
  vendor: SandboxVendor;
  sandboxPort: number;
  /** Settles when the worker has stopped (at once when it runs elsewhere). */
  running: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The API (with its outbox relay), the sandbox SMS vendor and the send worker
 * in one process: what `npm run dev` runs, and what the integration tests run.
 * Seed first: the sandbox pushes receipts to the seeded sandbox account's
 * tokened URL (no seeded account: it pushes nothing, receipts are pulled).
 */
export async function startHeraldStack(
  deps: ProcessDeps,
  temporal: { client: Client; nativeConnection: NativeConnection },
  options: StackOptions,
): Promise<HeraldStack> {
  const { config } = deps;
  const api = await startApiServer(deps, temporal.client, options.apiPort, options.apiHost);
  const sandboxAccount = await deps.prisma.account.findUnique({ where: { name: SEED_SANDBOX_ACCOUNT }, select: { id: true, provider: true } });
  const callbackBase = options.receiptCallbackBase ?? `http://127.0.0.1:${api.port}`;
  const vendor = createSandboxVendor({
    receiptDelayMs: options.sandboxReceiptDelayMs,
    receiptCallbackUrl: sandboxAccount ? receiptPushUrl(callbackBase, config.RECEIPT_TOKEN_KEY, sandboxAccount) : null,
    ...options.sandboxCredentials,
    logger: deps.logger,
  });
  const sandbox = await vendor.listen(options.sandboxPort, '127.0.0.1');
  const worker = options.runWorker === false ? null : await createSendWorker({
    connection: temporal.nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { ...deps, whitelist: whitelistFromConfig(config), settings: activitySettingsFromConfig(config) },
  });
  const running = worker ? worker.run() : Promise.resolve();
  return {
    api,
    vendor,
    sandboxPort: sandbox.port,
    running,
    async stop() {
      await api.close();
      worker?.shutdown();
      await running;
      await sandbox.close();
    },
  };
}
