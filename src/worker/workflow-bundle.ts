import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions, type Logger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** The module that exports every Herald workflow. */
const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules evaluated once in the worker's shared V8 context instead of once per
 * workflow in the sticky cache. luxon (night shield, step summaries) is the
 * big one: evaluated per workflow, each cached send held its own copy and its
 * own Intl formatters (ICU memory, outside the V8 heap), 0.6 MB a cached send
 * (docs/deployment.md, "Worker memory"). It is safe to share: its module state
 * is caches of formatters and zones keyed by their arguments, and it reads the
 * clock through the workflow's own `Date` at each call.
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = ['luxon'];

/** Where webpack finds a shared module's package (`node_modules/<name>/`); the names above need no escaping. */
function packagePattern(name: string): RegExp {
  return new RegExp(`[\\\\/]node_modules[\\\\/]${name}[\\\\/]`);
}

/**
 * The bundler options that share SHARED_WORKFLOW_MODULES. Two things stand in
 * the way of the SDK's `preloadModules` alone: luxon's package.json says
 * `sideEffects: false`, so webpack drops the preload's bare `require`; and the
 * preload's `require` and the workflows' `import` resolve to two different
 * builds of luxon (CommonJS and ES module), so the workflows would still load
 * their own. A rule marks the shared packages as having side effects, and an
 * alias points every import of them at the one file `require` finds.
 */
export const sharedModulesBundlerOptions = {
  preloadModules: [...SHARED_WORKFLOW_MODULES],
  webpackConfigHook: (config: WebpackConfiguration): WebpackConfiguration => ({
    ...config,
    module: { ...config.module, rules: [...(config.module?.rules ?? []), ...SHARED_WORKFLOW_MODULES.map((name) => ({ test: packagePattern(name), sideEffects: true }))] },
    resolve: { ...config.resolve, alias: { ...aliasesOf(config), ...Object.fromEntries(SHARED_WORKFLOW_MODULES.map((name) => [`${name}$`, require.resolve(name)])) } },
  }),
};

/** The aliases a webpack configuration already has, when given as an object (the SDK's are). */
function aliasesOf(config: WebpackConfiguration): Record<string, string | false | string[]> {
  const alias = config.resolve?.alias;
  return alias !== undefined && !Array.isArray(alias) ? alias : {};
}

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
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...sharedModulesBundlerOptions, logger });
}

/** Builds the bundle and writes it to `file` (default: the built one). */
export async function writeWorkflowBundle(file: string = BUILT_WORKFLOW_BUNDLE, logger?: Logger): Promise<{ file: string; bytes: number }> {
  const { code } = await buildWorkflowBundle(logger);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
  return { file, bytes: Buffer.byteLength(code) };
}

/** The workflow code a worker is given: a bundle (prebuilt or in memory) or the source to bundle at start. */
export type WorkflowSource = { workflowBundle: { codePath: string } | { code: string } } | { workflowsPath: string; bundlerOptions: typeof sharedModulesBundlerOptions };

/**
 * Where a worker takes its workflows from: the bundle at `bundlePath`
 * (setting WORKFLOW_BUNDLE_PATH) when one is given; else built JavaScript
 * (production, `node dist/...`) loads the bundle built with it, never webpack
 * at start, and TypeScript run from source (`npm run dev`) bundles its
 * workflows at start, so the bundle is never older than the code.
 */
export function workflowSource(bundlePath: string): WorkflowSource {
  if (bundlePath) return { workflowBundle: { codePath: bundlePath } };
  if (!__filename.endsWith('.js')) return { workflowsPath: WORKFLOWS_PATH, bundlerOptions: sharedModulesBundlerOptions };
  if (!existsSync(BUILT_WORKFLOW_BUNDLE)) throw new Error(`no workflow bundle at ${BUILT_WORKFLOW_BUNDLE}: run npm run build`);
  return { workflowBundle: { codePath: BUILT_WORKFLOW_BUNDLE } };
}
