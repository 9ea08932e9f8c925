/**
 * Four projects (docs/testing.md). Their global setups run only when the run
 * includes one of their files: a unit test alone starts no server.
 * - unit: pure logic, no setup.
 * - workflows: the time-skipping server per file, the run's workflow bundle.
 * - integration: one Temporal dev server, one template database and one
 *   workflow bundle per run; every file its own database, Redis prefix,
 *   namespace and task queue (test/support/isolation.ts), so files run in
 *   parallel and in any order.
 * - browser: pages in Debian's Chromium (playwright-core) against the whole
 *   of Herald, isolated like integration files; its global setup is the
 *   integration one (run once whichever comes first) and builds the console
 *   when dist/console is missing or stale.
 * Every project runs in Node's environment plus one check: a file that leaves
 * a socket, server, child process or timer open fails by name
 * (test/setup/releasing-environment.ts).
 */
const shared = {
  testEnvironment: '<rootDir>/test/setup/releasing-environment.ts',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  maxWorkers: 3,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/workflow-bundle.ts',
      globalTeardown: '<rootDir>/test/setup/workflow-bundle-teardown.ts',
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/integration.ts',
      globalTeardown: '<rootDir>/test/setup/integration-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/isolate-file.ts'],
    },
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/browser.ts',
      // The same teardown module as integration's: jest runs it once.
      globalTeardown: '<rootDir>/test/setup/integration-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/isolate-file.ts'],
    },
  ],
};
