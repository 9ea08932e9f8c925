import { time } from '../format';
import type { EarlierRun } from '../types';

/**
 * Which run of its workflow a send shows, and the runs a retry or a reset
 * replaced (their outcome stays on record): a `<dt>`/`<dd>` pair for a facts
 * list, nothing for a send that ran once.
 */
export function SendRuns({ runNo, earlierRuns }: { runNo: number; earlierRuns: EarlierRun[] }) {
  if (earlierRuns.length === 0) return null;
  return (
    <>
      <dt>Runs</dt>
      <dd data-testid="send-runs">
        run {runNo} now
        {earlierRuns.map((run) => (
          <div key={run.runId} class="muted">
            run {run.runNo} ended {run.status}
            {run.reason ? ` (${run.reason})` : ''}; {run.replacedHow === 'RETRY' ? 'retried' : 'reset'}
            {run.requestedBy ? ` by ${run.requestedBy}` : ''} at {time(run.replacedAt)}
          </div>
        ))}
      </dd>
    </>
  );
}
