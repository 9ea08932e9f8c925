import { z } from 'zod';
import { callApi, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';

const retrySchema = z.object({
  sendId: z.string(),
  outcome: z.enum(['RETRIED', 'ALREADY_RETRIED']),
  runNo: z.number(),
  runId: z.string(),
  previousStatus: z.string(),
  previousReason: z.string().nullable(),
  status: z.string(),
  workflowUrl: z.string(),
  message: z.string(),
});

/**
 * `herald send retry <sendId>` (ops scope): re-runs a FAILED, EXPIRED or UNDELIVERED send by a reset
 * of its workflow; says what it did. Exit 0 when the send is being (or was) re-run, 1 when refused.
 */
export async function sendRetryCommand(target: ApiTarget, sendId: string, output: Output): Promise<ExitCode> {
  const answer = await callApi(target, 'POST', `/v1/sends/${encodeURIComponent(sendId)}/retry`);
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const retry = retrySchema.parse(answer.body);
  const was = `${retry.previousStatus}${retry.previousReason ? ` ${retry.previousReason}` : ''}`;
  output.out(retry.outcome === 'RETRIED'
    ? `send ${retry.sendId}: retried (was ${was}): its workflow was reset to its first task; run ${retry.runNo} (${retry.runId}) sends it again`
    : `send ${retry.sendId}: already retried (was ${was}): run ${retry.runNo} (${retry.runId}) is the retry, now ${retry.status}; nothing new started`);
  output.out(`workflow: ${retry.workflowUrl}`);
  output.out(`follow it with: herald trace ${retry.sendId}`);
  return EXIT.OK;
}
