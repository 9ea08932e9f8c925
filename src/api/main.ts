/** The API process: `npm run start:api`. Needs TEMPORAL_ADDRESS (or use `npm run dev`). */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { buildProcessDeps } from '../runtime/process-deps';
import { onShutdown } from '../runtime/shutdown';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await buildProcessDeps(config, 'herald-api');
  // Lazy: the API accepts (into the outbox) even while Temporal is unreachable.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS || '127.0.0.1:7233' });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const api = await startApiServer(deps, temporal, config.API_PORT);
  deps.logger.info({ port: api.port }, 'Herald API listening');
  onShutdown(deps.logger, async () => {
    await api.close();
    await connection.close();
    await deps.close();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
