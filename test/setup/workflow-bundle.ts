import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeWorkflowBundle } from '../../src/worker/workflow-bundle';
import { RUN_ENV } from '../support/test-run';

/**
 * globalSetup of the workflows project (and part of the integration one's): Herald's workflows
 * bundled once per run, for every worker of every file (WORKFLOW_BUNDLE_PATH) and the replay test.
 */
export default async function buildRunWorkflowBundle(): Promise<void> {
  // The other project's global setup built it already in this run.
  if (process.env[RUN_ENV.workflowBundle]) return;
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'herald-test-')), 'workflow-bundle.js');
  await writeWorkflowBundle(file);
  process.env[RUN_ENV.workflowBundle] = file;
  process.env.WORKFLOW_BUNDLE_PATH = file;
}

/** globalTeardown: the bundle's folder goes. */
export async function removeRunWorkflowBundle(): Promise<void> {
  const file = process.env[RUN_ENV.workflowBundle];
  if (file) await rm(path.dirname(file), { recursive: true, force: true });
}
