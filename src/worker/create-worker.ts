import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { defaultActivitySettings, type ActivityDeps } from '../activities/deps';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'settings'> & { settings?: ActivityDeps['settings'] };
}

/** The send worker: Herald's workflows plus activities built from the given dependencies. */
export async function createSendWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ settings: defaultActivitySettings, ...options.deps }),
  });
}
