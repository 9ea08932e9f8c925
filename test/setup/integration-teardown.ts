import { dropDatabase } from '../../src/db/migrate';
import { dropDatabasesStartingWith } from '../support/databases';
import { createTestRedis, removeTestRedis } from '../support/redis-test-client';
import { fileDatabasePrefix, runDatabaseUrl, templateDatabaseUrl, TEST_REDIS_KEY_PREFIX } from '../support/test-run';
import { RUN_TEMPORAL, type RunGlobals } from './integration';
import { removeRunWorkflowBundle } from './workflow-bundle';

/** globalTeardown of the integration project: the dev server stops; the files' databases, every test Redis key and the bundle go. */
export default async function tearDownIntegrationRun(): Promise<void> {
  const runUrl = runDatabaseUrl();
  await Promise.all([
    (globalThis as RunGlobals)[RUN_TEMPORAL]?.teardown(),
    dropDatabasesStartingWith(runUrl, fileDatabasePrefix(runUrl)).then(() => dropDatabase(templateDatabaseUrl(runUrl))),
    removeTestRedis(createTestRedis(TEST_REDIS_KEY_PREFIX)),
    removeRunWorkflowBundle(),
  ]);
}
