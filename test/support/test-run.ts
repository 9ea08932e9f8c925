/**
 * What one jest run shares with its test files (test/setup/): a migrated
 * template database, one Temporal dev server and one workflow bundle. The
 * global setups run in jest's main process before any worker starts, so the
 * environment they set here reaches every test file.
 */
import { databaseName, urlForDatabase } from '../../src/db/migrate';

/** Used when DATABASE_URL is not exported (each engineer exports their own). */
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/herald_test';

/** Environment variables of the run, besides Herald's own settings (TEMPORAL_ADDRESS, WORKFLOW_BUNDLE_PATH). */
export const RUN_ENV = {
  /** DATABASE_URL as the run began: the template and every file's database are named after it. */
  databaseUrl: 'HERALD_TEST_RUN_DATABASE_URL',
  /** The workflow bundle this run built (test/setup/workflow-bundle.ts). */
  workflowBundle: 'HERALD_TEST_WORKFLOW_BUNDLE',
} as const;

/** The database URL the run's databases are named after. */
export function runDatabaseUrl(): string {
  return process.env[RUN_ENV.databaseUrl] ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** The migrated database each file's database is copied from. */
export function templateDatabaseUrl(runUrl: string): string {
  return urlForDatabase(runUrl, `${databaseName(runUrl)}_template`);
}

/** The start of every file database's name; the global teardown drops them all by it. */
export function fileDatabasePrefix(runUrl: string): string {
  return `${databaseName(runUrl)}_f_`;
}

/** The run's workflow bundle file; only under jest with the workflows or integration project. */
export function runWorkflowBundlePath(): string {
  const bundle = process.env[RUN_ENV.workflowBundle];
  if (!bundle) throw new Error('no workflow bundle: run this file through jest (test/setup/workflow-bundle.ts builds it once per run)');
  return bundle;
}

/** Every Redis key a test writes starts with this (each file, each test connection below it); the global teardown deletes them. */
export const TEST_REDIS_KEY_PREFIX = 'herald-test:';
