/**
 * A relay process: `npm run start:relay` (`node dist/sending/relay-main.js`). Starts the workflows of
 * the outbox rows every API commits, polling every OUTBOX_RELAY_POLL_MS, at a lower CPU priority
 * (RELAY_CPU_NICE); run it with API_OUTBOX_RELAY=false on the APIs (docs/deployment.md). Several may
 * run: a pass claims its rows under a lease (outbox-relay.ts). Needs TEMPORAL_ADDRESS.
 */
import { setPriority } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { startMetricsServer } from '../observability/metrics-server';
import { buildProcessDeps } from '../runtime/process-deps';
import { onShutdown } from '../runtime/shutdown';
import { createOutboxRelay } from './outbox-relay';
import { createOutboxSignal } from './outbox-signal';
import { starterFromConfig } from './workflow-starter';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.RELAY_CPU_NICE > 0) setPriority(config.RELAY_CPU_NICE);
  const deps = await buildProcessDeps(config, 'herald-relay');
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS || '127.0.0.1:7233' });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const starter = starterFromConfig(temporal, deps, config.TEMPORAL_TASK_QUEUE);
  const relay = createOutboxRelay({ prisma: deps.prisma, starter, config, logger: deps.logger, metrics: deps.metrics });
  const stop = new AbortController();
  // Never woken: nothing is accepted in this process; every pass comes from the poll.
  const relaying = relay.run(stop.signal, createOutboxSignal());
  const metrics = await startMetricsServer(deps.metrics, config.RELAY_METRICS_PORT);
  deps.logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, pollMs: config.OUTBOX_RELAY_POLL_MS, nice: config.RELAY_CPU_NICE, metricsPort: metrics.port }, 'Herald relay running');
  onShutdown(deps.logger, async () => {
    stop.abort();
    await relaying;
    await metrics.close();
    await connection.close();
    await deps.close();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
