import { z } from 'zod';
import { callApi, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';
import { table } from '../table';

const traceSchema = z.object({
  sendId: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  run: z.number(),
  workflowUrl: z.string(),
  history: z.object({ available: z.boolean(), error: z.string().optional() }),
  events: z.array(z.object({ at: z.string(), step: z.string(), what: z.string(), run: z.number().nullable(), evidence: z.string() })),
});

/** `herald trace <sendId>`: the send's events in order; exit 0 when the send exists. */
export async function traceCommand(target: ApiTarget, sendId: string, output: Output): Promise<ExitCode> {
  const answer = await callApi(target, 'GET', `/v1/sends/${encodeURIComponent(sendId)}/trace`);
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const trace = traceSchema.parse(answer.body);
  output.out(`send ${trace.sendId}: ${trace.status}${trace.reason ? ` (${trace.reason})` : ''}${trace.run > 1 ? `, run ${trace.run} (re-run by a reset or retry)` : ''}`);
  output.out(`workflow: ${trace.workflowUrl}`);
  if (!trace.history.available) output.out(`workflow history unavailable (records only): ${trace.history.error ?? ''}`);
  output.out('');
  output.out(table(['time', 'run', 'step', 'what', 'evidence'], trace.events.map((e) => [e.at, e.run === null ? '' : String(e.run), e.step, e.what, e.evidence]), 140));
  return EXIT.OK;
}
