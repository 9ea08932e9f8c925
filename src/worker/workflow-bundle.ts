import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type Logger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** The module that exports every Herald workflow. */
const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Where `npm run build` writes the workflow bundle that built workers load
 * (the same place from src/worker and dist/worker: the repository's dist/).
 * Its source map is inline.
 */
export const BUILT_WORKFLOW_BUNDLE = path.join(__dirname, '..', '..', 'dist', 'workflow-bundle.js');

/**
 * Herald's workflows (src/workflows) bundled with webpack, as a worker runs
 * them: what `npm run build` writes, what the tests' global setup writes once
 * per run, and what the replay tests replay.
 */
export function buildWorkflowBundle(logger: Logger = new DefaultLogger('WARN')): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger });
}

/** Builds the bundle and writes it to `file` (default: the built one). */
export async function writeWorkflowBundle(file: string = BUILT_WORKFLOW_BUNDLE, logger?: Logger): Promise<{ file: string; bytes: number }> {
  const { code } = await buildWorkflowBundle(logger);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
  return { file, bytes: Buffer.byteLength(code) };
}

/** The workflow code a worker is given: a bundle (prebuilt or in memory) or the source to bundle at start. */
export type WorkflowSource = { workflowBundle: { codePath: string } | { code: string } } | { workflowsPath: string };

/**
 * Where a worker takes its workflows from: the bundle at `bundlePath`
 * (setting WORKFLOW_BUNDLE_PATH) when one is given; else built JavaScript
 * (production, `node dist/...`) loads the bundle built with it, never webpack
 * at start, and TypeScript run from source (`npm run dev`) bundles its
 * workflows at start, so the bundle is never older than the code.
 */
export function workflowSource(bundlePath: string): WorkflowSource {
  if (bundlePath) return { workflowBundle: { codePath: bundlePath } };
  if (!__filename.endsWith('.js')) return { workflowsPath: WORKFLOWS_PATH };
  if (!existsSync(BUILT_WORKFLOW_BUNDLE)) throw new Error(`no workflow bundle at ${BUILT_WORKFLOW_BUNDLE}: run npm run build`);
  return { workflowBundle: { codePath: BUILT_WORKFLOW_BUNDLE } };
}
