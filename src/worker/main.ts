/** The worker process: `npm run start:worker` (`node dist/worker/main.js`). Needs TEMPORAL_ADDRESS (or use `npm run dev`). */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { buildProcessDeps } from '../runtime/process-deps';
import { onShutdown } from '../runtime/shutdown';
import { startMetricsServer } from '../observability/metrics-server';
import { whitelistFromConfig } from '../screening/whitelist';
import { activitySettingsFromConfig, createSendWorker } from './create-worker';
import { installWorkerRuntime } from './runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'herald-worker', nodeEnv: config.NODE_ENV });
  // Before any connection: the SDK's Rust core serves its own /metrics on TEMPORAL_SDK_METRICS_PORT.
  installWorkerRuntime({ logLevel: config.LOG_LEVEL, logger, sdkMetricsPort: config.TEMPORAL_SDK_METRICS_PORT });
  const deps = await buildProcessDeps(config, 'herald-worker', { logger });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS || '127.0.0.1:7233' });
  const worker = await createSendWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, deps: { ...deps, whitelist: whitelistFromConfig(config), settings: activitySettingsFromConfig(config) } });
  const metrics = await startMetricsServer(deps.metrics, config.WORKER_METRICS_PORT);
  deps.logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, metricsPort: metrics.port }, 'Herald worker running');

  const done = (async () => {
    await worker.run();
    await metrics.close();
    await connection.close();
    await deps.close();
  })();
  // SIGTERM: stop polling, let in-flight activities finish, then close the clients.
  onShutdown(deps.logger, async () => {
    worker.shutdown();
    await done;
  });
  await done;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
