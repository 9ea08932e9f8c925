import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Our LOG_LEVEL as the Temporal SDK's logger takes it. */
const SDK_LOG_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

export interface WorkerRuntimeOptions {
  /** Herald's LOG_LEVEL; the SDK logs at the same level, or above `quietest` when that is higher. */
  logLevel: string;
  /** The SDK's lowest level: `WARN` keeps the webpack report and worker state changes out of `npm run dev`. */
  quietest?: LogLevel;
  /** Serve the SDK's own Prometheus metrics (`temporal_*`) on this port; 0 or absent: none. */
  sdkMetricsPort?: number;
}

const ORDER: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Installs the Temporal SDK runtime of a worker process, before any
 * connection. It handles no signals itself (`shutdownSignals: []`): the
 * process's own handler (src/runtime/shutdown.ts) stops the worker once, so a
 * Ctrl-C or SIGTERM never shuts it down twice.
 */
export function installWorkerRuntime(options: WorkerRuntimeOptions): void {
  const wanted = SDK_LOG_LEVELS[options.logLevel] ?? 'INFO';
  const level = options.quietest && ORDER.indexOf(options.quietest) > ORDER.indexOf(wanted) ? options.quietest : wanted;
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(level),
    ...(options.sdkMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${options.sdkMetricsPort}` } } } } : {}),
  });
}
