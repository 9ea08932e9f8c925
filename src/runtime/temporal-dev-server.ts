import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../shared/contract';
import { findTemporalBinary } from './temporal-cli';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  namespace: string;
  port?: number;
  uiPort?: number;
  /** Keep state in SQLite under dataDir; off for throwaway test servers. */
  persist: boolean;
  /** More `temporal server start-dev` flags (`--http-port`, `--metrics-port`). */
  extraArgs?: string[];
}

/**
 * Runs the Temporal CLI dev server (`temporal server start-dev`) for this
 * process, with Herald's search attributes registered and the UI on :8233.
 * It stops when `teardown()` is called or the process exits.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<TestWorkflowEnvironment> {
  const binary = findTemporalBinary('temporal', options.cliPath || undefined);
  let dbFilename: string | undefined;
  if (options.persist) {
    mkdirSync(options.dataDir, { recursive: true });
    dbFilename = path.resolve(options.dataDir, 'temporal.sqlite');
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: binary ? { type: 'existing-path', path: binary } : { type: 'cached-download' },
      namespace: options.namespace,
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename,
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error', ...(options.extraArgs ?? [])],
    },
  });
}
