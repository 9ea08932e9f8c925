import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** The module that exports every Herald workflow. */
const WORKFLOWS_PATH = require.resolve('../workflows');

/** Herald's workflows as one webpack bundle (source maps inline), as a worker loads them. */
export function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}

/** Builds the bundle once into `file`, for workers and replay to load with `workflowBundle: { codePath }`. */
export async function writeWorkflowBundle(file: string): Promise<void> {
  const { code } = await buildWorkflowBundle();
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
}

/**
 * Where a worker takes its workflows from: the prebuilt bundle at `bundlePath`
 * (WORKFLOW_BUNDLE_PATH), or, when it is empty, src/workflows bundled at start.
 */
export function workflowSource(bundlePath: string): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  return bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH };
}
