import { readFile } from 'node:fs/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startTemporalDevServer } from '../../src/runtime/temporal-dev-server';
import { findTemporalBinary } from '../../src/runtime/temporal-cli';
import { addSearchAttributes } from '../../src/runtime/search-attributes';
import { runWorkflowBundlePath } from './test-run';

/** How long a test namespace keeps closed workflows; the run's server lives in memory anyway. */
const NAMESPACE_RETENTION_MS = 24 * 3600 * 1000;

/** A throwaway Temporal dev server (the real server, in memory) with Herald's search attributes: one per jest run (test/setup/). */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  return startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? '', dataDir: '', namespace: 'default', persist: false });
}

/** A namespace of its own on the run's dev server, with Herald's search attributes: visibility queries see only this file's workflows. */
export async function registerTestNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION_MS) });
    await addSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
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

/**
 * The run's bundle of Herald's workflows, built once by the global setup. `sourceMap` is deprecated in
 * the SDK (maps are inline in `code`), but its type still names it.
 */
export async function runWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return { code: await readFile(runWorkflowBundlePath(), 'utf8'), sourceMap: '' };
}

/**
 * A workflow test file's own time-skipping server (its clock jumps for every workflow on it, so files
 * do not share one) and the run's bundle of Herald's workflows, with quiet SDK logs.
 */
export async function startWorkflowTestEnvironment(): Promise<{ env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap }> {
  // Quiet SDK logs: these tests fail activities and workflows on purpose (a 6-hour Postgres hold alone fails
  // its activity hundreds of times), and the time-skipping server lacks capabilities core warns about on
  // every worker. What a test expects it asserts; errors still print.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'WARN' }, forward: {} } } });
  const [env, bundle] = await Promise.all([startTimeSkippingServer(), runWorkflowBundle()]);
  return { env, bundle };
}
