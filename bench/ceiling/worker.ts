/** Worker for the ceiling benchmark: Worker.create with the same defaults as Herald's send worker. */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { CEILING_TASK_QUEUE, ceilingActivities } from './activities';

async function main(): Promise<void> {
  // The bench's output is its figures: the SDK's start-up lines (webpack's stats, state changes) stay out of it.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: CEILING_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: ceilingActivities,
  });
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
