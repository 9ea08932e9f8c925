import { maskReceiver } from '../shared/mask';

/** One line of a send's trace: when, which step of the path, what happened, in which run, and where that is written down. */
export interface TraceEvent {
  at: Date;
  source: 'workflow' | 'records';
  step: TraceStep;
  what: string;
  /** The run of the send's workflow it belongs to (1: the first; a reset or retry starts the next); null: before any run (the API). */
  run: number | null;
  /** Where to find it: `run 1 history event 11`, `send_attempt <id>`, `receipt <id>`, `send_run <run id>`, ... */
  evidence: string;
}

export const TRACE_STEPS = ['api', 'workflow', 'schedule', 'screening', 'dedup', 'night shield', 'vendor', 'receipt', 'status'] as const;
export type TraceStep = (typeof TRACE_STEPS)[number];

/** Keys whose values identify a person: masked wherever a payload is shown. */
const PERSONAL_KEYS = new Set(['receiver', 'to', 'phone', 'email']);

/** A payload or record as one short line of JSON, receivers masked, long text cut. */
export function compact(value: unknown, maxLength = 240): string {
  const text = JSON.stringify(value, (key, inner: unknown) => (PERSONAL_KEYS.has(key) && typeof inner === 'string' ? maskReceiver(inner) : inner)) ?? 'null';
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** Both sources in time order; events at the same instant keep the order they were given in. */
export function mergeTrace(...lists: TraceEvent[][]): TraceEvent[] {
  return lists
    .flat()
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at.getTime() - b.event.at.getTime() || a.index - b.index)
    .map(({ event }) => event);
}
