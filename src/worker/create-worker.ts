import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { defaultActivitySettings, type ActivityDeps, type ActivitySettings } from '../activities/deps';
import type { Config } from '../config';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'settings'> & { settings?: ActivityDeps['settings'] };
}

/** The activity settings a worker process reads from its config. */
export function activitySettingsFromConfig(config: Pick<Config, 'VENDOR_BATCH_WINDOW_MS' | 'VENDOR_BATCH_MAX_SIZE'>): ActivitySettings {
  return { ...defaultActivitySettings, vendorBatch: { windowMs: config.VENDOR_BATCH_WINDOW_MS, maxSize: config.VENDOR_BATCH_MAX_SIZE } };
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
