/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60_000,
  // Integration tests share one Postgres database and one Temporal dev server.
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/global-setup.ts',
};
