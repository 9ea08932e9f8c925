import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { RunningApi } from '../../src/api/server';
import { loadDevConfig, type DevConfig } from '../../src/dev-config';
import { seed, SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { createLogger } from '../../src/logger';
import { buildProcessDeps, type ProcessDeps } from '../../src/runtime/process-deps';
import type { SandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { startHeraldStack } from '../../src/runtime/herald-stack';
import { fileResources } from './isolation';
import { deleteKeysUnderPrefix } from './redis-test-client';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

export interface RunningHerald {
  deps: ProcessDeps;
  /** The production and development settings this Herald runs with. */
  settings: DevConfig;
  /** Connections to the run's dev server, in this file's namespace. */
  temporal: TestWorkflowEnvironment;
  api: RunningApi;
  vendor: SandboxVendor;
  baseUrl: string;
  apiKey: string;
  /** Between Herald and the Temporal dev server, when started with `proxyTemporal`. */
  temporalProxy: TcpProxy | null;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: JsonBody }>;
  stop(): Promise<void>;
}

/** JSON from the API under test; the tests' assertions check its shape. */
type JsonBody = ReturnType<typeof JSON.parse>;

let queueCounter = 0;

export interface HeraldOptions {
  /** Herald's API and worker reach Temporal through a TCP proxy the test can cut. */
  proxyTemporal?: boolean;
  /** False: no worker in this process (a test runs it as a child process). */
  runWorker?: boolean;
  /** The clock of the routing health window (API and worker alike); a test moves it instead of waiting a window out. */
  now?: () => number;
}

/** Client and worker connections to the dev server, directly or through a proxy. */
async function connectTemporal(temporal: TestWorkflowEnvironment, proxied: boolean) {
  if (!proxied) return { client: temporal.client, nativeConnection: temporal.nativeConnection, proxy: null, close: async () => undefined };
  const [host, port] = temporal.connection.options.address.split(':');
  const proxy = await startTcpProxy({ host, port: Number(port) });
  const connection = await Connection.connect({ address: proxy.address });
  const nativeConnection = await NativeConnection.connect({ address: proxy.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  return {
    client,
    nativeConnection,
    proxy,
    async close() {
      await connection.close();
      await nativeConnection.close();
      await proxy.close();
    },
  };
}

/**
 * The whole of Herald against the real Postgres, Redis and the run's Temporal
 * dev server, with the sandbox vendor on a free port: what `npm run dev` runs.
 * It uses this file's own database, Redis prefix, namespace and task queue
 * (test/support/isolation.ts); `env` overrides any setting.
 */
export async function startHerald(env: Record<string, string> = {}, options: HeraldOptions = {}): Promise<RunningHerald> {
  const { taskQueue } = fileResources();
  // Expected activity failures (fault injection) would otherwise fill the output as SDK warnings.
  // Core's own warnings (poll retries while a fault test cuts Temporal) go through it too.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  const config = loadDevConfig({
    ...process.env,
    API_PORT: '0',
    // Two Heralds of one file do not take each other's tasks.
    TEMPORAL_TASK_QUEUE: `${taskQueue}-${++queueCounter}`,
    RECEIPT_POLL_FIRST_SECONDS: '1',
    RECEIPT_POLL_MAX_SECONDS: '2',
    // A changed account reaches the worker at once, so no test waits out a cache.
    ACCOUNT_CACHE_MS: '0',
    // Likewise a revoked key or a changed template reaches the API at once.
    API_LOOKUP_CACHE_MS: '0',
    ...env,
  });
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', name: 'test', pretty: false });
  const deps = await buildProcessDeps(config, 'herald-test', { logger, now: options.now });
  // Forget dedup, circuit and rate-limit state of an earlier Herald of this file.
  await deleteKeysUnderPrefix(deps.redis);
  await seed(deps.prisma, config, deps.secrets);
  const connections = await connectTemporal(temporal, options.proxyTemporal === true);
  const stack = await startHeraldStack(deps, connections, {
    runWorker: options.runWorker,
    // A port of the test's own (`API_PORT`) makes PUBLIC_BASE_URL, and so the receipt URLs Herald gives vendors with each send (Twilio), right.
    apiPort: config.API_PORT,
    apiHost: '127.0.0.1',
    sandboxPort: 0,
    sandboxReceiptDelayMs: Number(env.SANDBOX_RECEIPT_DELAY_MS ?? 200),
    sandboxCredentials: { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET },
  });
  const baseUrl = `http://127.0.0.1:${stack.api.port}`;
  await deps.prisma.account.update({
    where: { name: SEED_SANDBOX_ACCOUNT },
    data: { config: { endpoint: `http://127.0.0.1:${stack.sandboxPort}`, timeoutMs: 2000 }, enabled: true, weight: 1, priority: 10 },
  });

  return {
    deps,
    settings: config,
    temporal,
    api: stack.api,
    vendor: stack.vendor,
    baseUrl,
    apiKey: config.SEED_API_KEY,
    temporalProxy: connections.proxy,
    async request(method, path, body, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${config.SEED_API_KEY}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      await stack.stop();
      await connections.close();
      await temporal.teardown();
      await deps.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
}
