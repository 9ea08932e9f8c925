/** The worker process: `npm run start:worker`. Needs TEMPORAL_ADDRESS (or use `npm run dev`). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from './src/config';
import { buildProcessDeps } from './src/runtime/process-deps';
import { onShutdown } from './src/runtime/shutdown';
import { startMetricsServer } from './src/observability/metrics-server';
import { whitelistFromConfig } from './src/screening/whitelist';
import { createSendWorker } from './src/worker/create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.TEMPORAL_SDK_METRICS_PORT > 0) {
    // Before any connection: the SDK's Rust core serves its own /metrics on this port.
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${config.TEMPORAL_SDK_METRICS_PORT}` } } } });
  }
  const deps = await buildProcessDeps(config, 'herald-worker');
  const address = config.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  // Campaign runs start send workflows from their page activity.
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await createSendWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { ...deps, whitelist: whitelistFromConfig(config) },
    campaigns: { client, defaults: config },
  });
  const metrics = await startMetricsServer(deps.metrics, config.WORKER_METRICS_PORT);
  deps.logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, metricsPort: metrics.port }, 'Herald worker running');

  const done = (async () => {
    await worker.run();
    await metrics.close();
    await clientConnection.close();
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
