import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startTemporalDevServer } from '../../src/runtime/temporal-dev-server';
import { findTemporalBinary } from '../../src/runtime/temporal-cli';
import { addSearchAttributes } from '../../src/runtime/search-attributes';

/** A throwaway Temporal dev server (the real server, in memory) with Herald's search attributes. */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  return startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? '', dataDir: '', namespace: 'default', persist: false });
}

/** The time-skipping test server: hours of timers pass in milliseconds. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const binary = findTemporalBinary('temporal-test-server', process.env.TEMPORAL_TEST_SERVER_PATH);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: binary ? { type: 'existing-path', path: binary } : { type: 'cached-download' } },
  });
  // The time-skipping server cannot list search attributes, only add them.
  await addSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A workflow test file's time-skipping server and the bundle of Herald's workflows, with quiet SDK logs. */
export async function startWorkflowTestEnvironment(): Promise<{ env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap }> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startTimeSkippingServer();
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  return { env, bundle };
}
