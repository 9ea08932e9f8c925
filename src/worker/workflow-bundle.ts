import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, type Logger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/**
 * Where `npm run build` writes the workflow bundle that built workers load
 * (the same place from src/worker and dist/worker: the repository's dist/).
 * Its source map is inline.
 */
export const WORKFLOW_BUNDLE_PATH = path.join(__dirname, '..', '..', 'dist', 'workflow-bundle.js');

/**
 * Herald's workflows (src/workflows) bundled with webpack, as a worker runs
 * them: what `npm run build` writes, what the replay tests replay, and what
 * a worker running TypeScript (`npm run dev`, tests) loads.
 */
export function buildWorkflowBundle(logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), ...(logger ? { logger } : {}) });
}

/** Builds the bundle and writes it to `file` (default WORKFLOW_BUNDLE_PATH). */
export async function writeWorkflowBundle(file: string = WORKFLOW_BUNDLE_PATH, logger?: Logger): Promise<{ file: string; bytes: number }> {
  const { code } = await buildWorkflowBundle(logger);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
  return { file, bytes: Buffer.byteLength(code) };
}

/** The workflow code a worker is given: a bundle (prebuilt or in memory) or the source to bundle at start. */
export type WorkflowSource = { workflowBundle: { codePath: string } | { code: string } } | { workflowsPath: string };

/**
 * Built JavaScript (production, `node dist/...`) loads the bundle built with
 * it, never webpack at start; TypeScript run from source (`npm run dev`,
 * tests) bundles its workflows at start, so the bundle is never older than
 * the code.
 */
export function workflowSourceForThisProcess(): WorkflowSource {
  if (!__filename.endsWith('.js')) return { workflowsPath: require.resolve('../workflows') };
  if (!existsSync(WORKFLOW_BUNDLE_PATH)) throw new Error(`no workflow bundle at ${WORKFLOW_BUNDLE_PATH}: run npm run build`);
  return { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } };
}
