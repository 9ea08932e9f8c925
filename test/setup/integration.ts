import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dropDatabase, ensureDatabase, migrate } from '../../src/db/migrate';
import { dropDatabasesStartingWith } from '../support/databases';
import { startDevServer } from '../support/temporal';
import { fileDatabasePrefix, RUN_ENV, runDatabaseUrl, templateDatabaseUrl } from '../support/test-run';
import buildRunWorkflowBundle from './workflow-bundle';

/** Where the run's dev server waits for the global teardown (same process; jest's documented way to hand it over). */
export const RUN_TEMPORAL = Symbol.for('herald.test.temporal');
export type RunGlobals = typeof globalThis & { [RUN_TEMPORAL]?: TestWorkflowEnvironment };

/**
 * globalSetup of the integration project (and part of the browser one's), once per run: the migrated template database that each
 * file's database is copied from, one Temporal dev server (each file gets a namespace on it) and
 * the workflow bundle, all at the same time.
 */
export default async function setUpIntegrationRun(): Promise<void> {
  // The browser project's global setup (test/setup/browser.ts) did it already in this run.
  if ((globalThis as RunGlobals)[RUN_TEMPORAL]) return;
  process.env.LOG_LEVEL ??= 'silent';
  const runUrl = runDatabaseUrl();
  process.env[RUN_ENV.databaseUrl] = runUrl;
  const template = templateDatabaseUrl(runUrl);
  await Promise.all([
    (async () => {
      await dropDatabasesStartingWith(runUrl, fileDatabasePrefix(runUrl));
      await dropDatabase(template);
      await ensureDatabase(template);
      await migrate(template);
    })(),
    (async () => {
      const temporal = await startDevServer();
      (globalThis as RunGlobals)[RUN_TEMPORAL] = temporal;
      process.env.TEMPORAL_ADDRESS = temporal.address;
    })(),
    buildRunWorkflowBundle(),
  ]);
}
