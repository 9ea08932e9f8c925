/**
 * Each integration test file owns its data: a database copied from the run's
 * template, a Redis key prefix, a Temporal namespace and task queue. Files
 * then run in parallel and in any order. test/setup/isolate-file.ts applies
 * it to every file of the integration project before the file's own code
 * runs, by pointing Herald's settings at the file's resources: startHerald,
 * loadConfig and child processes all read them from the environment.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { urlForDatabase } from '../../src/db/migrate';
import { cloneDatabase } from './databases';
import { createTestRedis, removeTestRedis } from './redis-test-client';
import { registerTestNamespace } from './temporal';
import { fileDatabasePrefix, runDatabaseUrl, templateDatabaseUrl, TEST_REDIS_KEY_PREFIX } from './test-run';

const ROOT = path.resolve(__dirname, '..', '..');
/** Postgres truncates longer identifiers. */
const MAX_DATABASE_NAME = 63;
/** Readable part of a file's tag: its name, cut to this length. */
const MAX_SLUG = 24;

export interface FileResources {
  databaseUrl: string;
  redisKeyPrefix: string;
  namespace: string;
  taskQueue: string;
}

let current: FileResources | null = null;

/** The file's resources, as Herald's settings; fails outside a file set up by test/setup/isolate-file.ts. */
export function fileResources(): FileResources {
  if (!current) throw new Error('this test file is not isolated: integration and browser tests live in test/integration/ and test/browser/ (jest projects "integration" and "browser")');
  return current;
}

/**
 * Points this file's Herald settings at resources of its own and prepares them
 * before the file's first hook: its database copied from the template, its
 * Redis keys of an earlier run deleted, its namespace registered.
 */
export function isolateThisFile(testPath: string): FileResources {
  const resources = resourcesOf(testPath);
  Object.assign(process.env, {
    DATABASE_URL: resources.databaseUrl,
    REDIS_KEY_PREFIX: resources.redisKeyPrefix,
    TEMPORAL_NAMESPACE: resources.namespace,
    TEMPORAL_TASK_QUEUE: resources.taskQueue,
  });
  current = resources;
  beforeAll(async () => {
    const temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (!temporalAddress) throw new Error('TEMPORAL_ADDRESS is not set: the integration project\u2019s global setup (test/setup/integration.ts) starts the dev server');
    await Promise.all([
      cloneDatabase(templateDatabaseUrl(runDatabaseUrl()), resources.databaseUrl),
      removeTestRedis(createTestRedis(resources.redisKeyPrefix)),
      registerTestNamespace(temporalAddress, resources.namespace),
    ]);
  }, 60_000);
  return resources;
}

/** Names from the file's path: readable (`fan_out_3f9a1c`) and the same in every run. */
function resourcesOf(testPath: string): FileResources {
  const slug = path.basename(testPath).replace(/\.test\.ts$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, MAX_SLUG);
  const tag = `${slug}_${createHash('sha256').update(path.relative(ROOT, testPath)).digest('hex').slice(0, 6)}`;
  const runUrl = runDatabaseUrl();
  const database = `${fileDatabasePrefix(runUrl)}${tag}`;
  if (database.length > MAX_DATABASE_NAME) throw new Error(`database name ${database} is longer than Postgres allows; shorten DATABASE_URL's database name`);
  const dashed = tag.replace(/_/g, '-');
  return {
    databaseUrl: urlForDatabase(runUrl, database),
    redisKeyPrefix: `${TEST_REDIS_KEY_PREFIX}${dashed}:`,
    namespace: `herald-test-${dashed}`,
    taskQueue: `herald-test-${dashed}`,
  };
}
