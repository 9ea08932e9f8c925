import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { ProcessDeps } from '../runtime/process-deps';
import { createOutboxRelay } from '../sending/outbox-relay';
import { createOutboxSignal } from '../sending/outbox-signal';
import { starterFromConfig } from '../sending/workflow-starter';
import { createApp } from './app';
import { createConnectionDrain } from './connection-drain';
import { createRequestLogWriter } from './request-log';

export interface RunningApi {
  port: number;
  /**
   * Stops taking connections, lets in-flight requests finish (and their request log rows be written), each
   * kept-alive connection closing after its answer, stops the relay.
   */
  close(): Promise<void>;
}

/** The HTTP API plus, unless API_OUTBOX_RELAY is false (relay processes run apart), its outbox relay, on one port. */
export async function startApiServer(deps: ProcessDeps, temporal: Client, port: number, host = '0.0.0.0'): Promise<RunningApi> {
  const starter = starterFromConfig(temporal, deps, deps.config.TEMPORAL_TASK_QUEUE);
  const logWrites = createRequestLogWriter(deps.pool, deps.logger);
  const outbox = createOutboxSignal();
  const app = createApp({ ...deps, temporal, outbox, logWrites });
  const drain = createConnectionDrain();
  const server = createServer({ requestTimeout: deps.config.API_REQUEST_TIMEOUT_SECONDS * 1000 }, drain.wrap(app));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });

  const stopRelay = new AbortController();
  const relay = createOutboxRelay({ prisma: deps.prisma, starter, config: deps.config, logger: deps.logger, metrics: deps.metrics });
  const relaying = deps.config.API_OUTBOX_RELAY ? relay.run(stopRelay.signal, outbox) : Promise.resolve();

  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      stopRelay.abort();
      drain.start();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await relaying;
      await logWrites.settled();
    },
  };
}
