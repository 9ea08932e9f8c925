import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';
import { SEND_WORKFLOW } from '../shared/contract';
import { isSendFailureMessage } from '../shared/failures';

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
    const outcome = undeliveredSendOutcome(entry.level, entry.message, fields, error);
    if (outcome) logger.info({ ...fields, outcome }, 'send workflow ended failed: the send did not reach its receiver');
    else logger[PINO_METHODS[entry.level]](error === undefined ? fields : { ...fields, err: error }, entry.message);
  };
}

/**
 * The outcome in the SDK's entry for a send workflow that ended failed on purpose, or null. A send fails
 * its workflow when it did not reach the receiver (FAILED, UNDELIVERED, EXPIRED: red in the UI, the reason
 * recorded), with the message `sendFailureMessage` wrote: an outcome, not a warning, so it is logged at
 * INFO in one field instead of a WARN with a stack per undelivered SMS. Any other failure of a send
 * workflow (an activity failure that escaped it) stays WARN, and so would these should the SDK reword
 * its entry: nothing is hidden. The error arrives from the workflow thread as a plain Error (its failure
 * type lost on the way), hence the message.
 */
function undeliveredSendOutcome(level: LogLevel, message: string, fields: Record<string, unknown>, error: unknown): string | null {
  const sendWorkflowFailed = level === 'WARN' && message === 'Workflow failed' && fields.workflowType === SEND_WORKFLOW;
  return sendWorkflowFailed && error instanceof Error && isSendFailureMessage(error.message) ? error.message : null;
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
