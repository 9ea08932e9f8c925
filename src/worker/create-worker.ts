import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createCampaignActivities } from '../activities';
import { defaultActivitySettings, type ActivityDeps } from '../activities/deps';
import type { InputDefaults } from '../sending/send-input';
import { createWorkflowStarter } from '../sending/workflow-starter';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'settings'> & { settings?: ActivityDeps['settings'] };
  /** Campaign runs start send workflows with this client, with these send defaults. */
  campaigns: {
    client: Client;
    defaults: InputDefaults;
    /** The task queue campaign sends start on; default `taskQueue`. */
    sendTaskQueue?: string;
  };
}

/** The send worker: Herald's workflows (sends and campaign runs) plus activities built from the given dependencies. */
export async function createSendWorker(options: WorkerOptions): Promise<Worker> {
  const { deps, campaigns } = options;
  const starter = createWorkflowStarter({ temporal: campaigns.client, prisma: deps.prisma, taskQueue: campaigns.sendTaskQueue ?? options.taskQueue, logger: deps.logger });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: {
      ...createActivities({ settings: defaultActivitySettings, ...deps }),
      ...createCampaignActivities({ prisma: deps.prisma, starter, defaults: campaigns.defaults, logger: deps.logger }),
    },
  });
}
