import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { defaultActivitySettings, type ActivityDeps, type ActivitySettings } from '../activities/deps';
import type { WorkflowRuns } from '../activities/run-claim';
import type { Config } from '../config';
import { starterFromConfig } from '../sending/workflow-starter';
import { workflowSource } from './workflow-bundle';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'settings' | 'starter' | 'workflowRuns'> & { settings?: ActivityDeps['settings'] };
}

/** The activity settings a worker process reads from its config. */
export function activitySettingsFromConfig(config: Pick<Config, 'ACCOUNT_CACHE_MS' | 'VENDOR_BATCH_WINDOW_MS' | 'VENDOR_BATCH_MAX_SIZE'>): ActivitySettings {
  return {
    ...defaultActivitySettings,
    accountCacheMs: config.ACCOUNT_CACHE_MS,
    vendorBatch: { windowMs: config.VENDOR_BATCH_WINDOW_MS, maxSize: config.VENDOR_BATCH_MAX_SIZE },
  };
}

/**
 * The send worker: Herald's workflows plus activities built from the given
 * dependencies. The fan-out activity starts send workflows through a client
 * on the worker's own connection, on the worker's task queue; the same client
 * tells a reset's new run that it is the current one.
 */
export async function createSendWorker(options: WorkerOptions): Promise<Worker> {
  const { config } = options.deps;
  const temporal = new Client({ connection: options.connection, namespace: options.namespace });
  const starter = starterFromConfig(temporal, options.deps, options.taskQueue);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource(config.WORKFLOW_BUNDLE_PATH),
    // Sized on purpose (the SDK's default grows with the heap limit): sleeping sends are evicted, memory stays flat.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    activities: createActivities({ settings: defaultActivitySettings, ...options.deps, starter, workflowRuns: workflowRunsOf(temporal) }),
  });
}

function workflowRunsOf(temporal: Client): WorkflowRuns {
  return {
    async currentRunId(workflowId) {
      return (await temporal.workflow.getHandle(workflowId).describe()).runId;
    },
  };
}
