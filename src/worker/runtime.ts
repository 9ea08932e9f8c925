import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';
import { SEND_WORKFLOW } from '../shared/contract';

/** Our LOG_LEVEL as the Temporal SDK's logger takes it. */
const SDK_LOG_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

/** The SDK's levels as pino's methods. */
const PINO_METHODS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, keyof Logger>;

export interface WorkerRuntimeOptions {
  /** Herald's LOG_LEVEL; the SDK logs at the same level, or above `quietest` when that is higher. */
  logLevel: string;
  /** Where the SDK's log entries go: the process's JSON log, masked like every other line. */
  logger: Logger;
  /** The SDK's lowest level: `WARN` keeps the webpack report and worker state changes out of `npm run dev`. */
  quietest?: LogLevel;
  /** Serve the SDK's own Prometheus metrics (`temporal_*`) on this port; 0 or absent: none. */
  sdkMetricsPort?: number;
}

const ORDER: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * One SDK log entry (the worker's own, and the workflows' through the SDK's logger sink) as a
 * line of the process's pino log: its fields as they are, an error under `err` so pino writes its
 * type, message and stack in the line instead of a multi-line dump.
 */
export function sdkEntryToPino(logger: Logger): (entry: LogEntry) => void {
  return (entry) => {
    const { error, ...fields } = entry.meta ?? {};
    if (endsUndeliveredSend(entry)) logger.info({ ...fields, outcome: error instanceof Error ? error.message : String(error) }, 'send workflow ended failed: the send did not reach its receiver');
    else logger[PINO_METHODS[entry.level]](error === undefined ? fields : { ...fields, err: error }, entry.message);
  };
}

/**
 * The SDK's entry for a workflow that ended failed, for a send workflow. A send fails its workflow on
 * purpose when it did not reach the receiver (FAILED, UNDELIVERED, EXPIRED: red in the UI, the reason
 * recorded); nothing else ends one failed (a bug fails a workflow task, which is retried). It is an
 * outcome, not a warning: logged at INFO with the outcome in one field instead of a WARN with a stack per
 * undelivered SMS. Should the SDK reword its message, these entries stay WARN: nothing is lost.
 */
function endsUndeliveredSend(entry: LogEntry): boolean {
  return entry.level === 'WARN' && entry.message === 'Workflow failed' && entry.meta?.workflowType === SEND_WORKFLOW;
}

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
    logger: new DefaultLogger(level, sdkEntryToPino(options.logger.child({ component: 'temporal-sdk' }))),
    ...(options.sdkMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${options.sdkMetricsPort}` } } } } : {}),
  });
}
