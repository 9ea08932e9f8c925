/**
 * `npm run dev`: all of Herald in one process for a first look. It applies
 * migrations (what `herald migrate` does), seeds the demo data, starts the Temporal dev server unless
 * TEMPORAL_ADDRESS is set, the sandbox SMS vendor, the worker and the API.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadDevConfig, type DevConfig } from './dev-config';
import { ensureDatabase, migrate } from './db/migrate';
import { createLogger } from './logger';
import { seed, SEED_SANDBOX_ACCOUNT, SEED_SANDBOX_TIMEOUT_MS } from './db/seed';
import { startHeraldStack } from './runtime/herald-stack';
import { buildProcessDeps } from './runtime/process-deps';
import { onShutdown } from './runtime/shutdown';
import { startTemporalDevServer } from './runtime/temporal-dev-server';
import { installWorkerRuntime } from './worker/runtime';
import { ensureSearchAttributes } from './runtime/search-attributes';

interface TemporalHandles {
  client: Client;
  nativeConnection: NativeConnection;
  address: string;
  close(): Promise<void>;
}

async function connectTemporal(config: DevConfig): Promise<TemporalHandles> {
  if (config.TEMPORAL_ADDRESS) {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    return {
      client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
      nativeConnection,
      address: config.TEMPORAL_ADDRESS,
      async close() {
        await nativeConnection.close();
        await connection.close();
      },
    };
  }
  const env = await startTemporalDevServer({
    cliPath: config.TEMPORAL_CLI_PATH,
    dataDir: config.HERALD_DATA_DIR,
    namespace: config.TEMPORAL_NAMESPACE,
    port: config.TEMPORAL_DEV_PORT,
    uiPort: config.TEMPORAL_DEV_UI_PORT,
    persist: true,
  });
  return { client: env.client, nativeConnection: env.nativeConnection, address: `127.0.0.1:${config.TEMPORAL_DEV_PORT}`, close: () => env.teardown() };
}

async function main(): Promise<void> {
  const config = loadDevConfig();
  // The SDK's webpack report and worker state changes stay out of the terminal; warnings and errors do not.
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'herald', nodeEnv: config.NODE_ENV });
  installWorkerRuntime({ logLevel: config.LOG_LEVEL, logger, quietest: 'WARN' });
  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL);
  const deps = await buildProcessDeps(config, 'herald', { logger });
  await seed(deps.prisma, config, deps.secrets);
  const temporal = await connectTemporal(config);

  const stack = await startHeraldStack(deps, temporal, {
    apiPort: config.API_PORT,
    sandboxPort: config.SANDBOX_VENDOR_PORT,
    sandboxReceiptDelayMs: config.SANDBOX_RECEIPT_DELAY_MS,
    sandboxCredentials: { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET },
    receiptCallbackBase: config.PUBLIC_BASE_URL,
  });
  // The seed keeps an existing account as it is: point the demo account at this run's sandbox (its port may have changed).
  await deps.prisma.account.update({ where: { name: SEED_SANDBOX_ACCOUNT }, data: { config: { endpoint: config.SANDBOX_VENDOR_URL, timeoutMs: SEED_SANDBOX_TIMEOUT_MS } } });

  // Plain text, not a log line: what a newcomer needs, after the Temporal dev server's own banner.
  console.log(
    [
      `Herald is up: API http://127.0.0.1:${stack.api.port} (docs /docs), Temporal UI ${config.TEMPORAL_UI_URL}, sandbox vendor http://127.0.0.1:${stack.sandboxPort}`,
      `Demo API key: ${config.SEED_API_KEY} (try "Your first message" in README.md; Ctrl-C stops)`,
    ].join('\n'),
  );

  onShutdown(deps.logger, async () => {
    await stack.stop();
    await temporal.close();
    await deps.close();
    console.log('Herald stopped.');
  });
  await stack.running;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
