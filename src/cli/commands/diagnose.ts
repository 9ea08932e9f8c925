import { z } from 'zod';
import { callApi, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';
import { table } from '../table';

/** The parts of `GET /v1/diagnose` the CLI prints. */
const diagnosisSchema = z.object({
  receiver: z.string(),
  from: z.string(),
  to: z.string(),
  verdict: z.string(),
  summary: z.string(),
  sends: z.array(
    z.object({
      sendId: z.string(),
      createdAt: z.string(),
      template: z.string(),
      caller: z.string(),
      status: z.string(),
      verdict: z.string(),
      stoppedAt: z.string().nullable(),
      explanation: z.string(),
      nextStep: z.string(),
      steps: z.array(z.object({ step: z.string(), outcome: z.string(), detail: z.string() })),
      workflowUrl: z.string(),
    }),
  ),
  rejectedRequests: z.array(z.object({ at: z.string(), caller: z.string().nullable(), template: z.string().nullable(), errorCode: z.string(), receiverAsReceived: z.array(z.string()), explanation: z.string() })),
  windowRequests: z.array(z.object({ at: z.string(), caller: z.string().nullable(), template: z.string().nullable(), status: z.number(), receivers: z.array(z.string()) })),
});

/** `herald diagnose <receiver> [--from] [--to]`: exit 0 only when the latest send was delivered. */
export async function diagnoseCommand(target: ApiTarget, receiver: string, window: { from?: string; to?: string }, output: Output): Promise<ExitCode> {
  const query = new URLSearchParams({ receiver, ...(window.from ? { from: window.from } : {}), ...(window.to ? { to: window.to } : {}) });
  const answer = await callApi(target, 'GET', `/v1/diagnose?${query.toString()}`);
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const diagnosis = diagnosisSchema.parse(answer.body);
  output.out(`receiver  ${diagnosis.receiver}   window ${diagnosis.from} .. ${diagnosis.to}`);
  output.out(`verdict   ${diagnosis.verdict}`);
  output.out(`          ${diagnosis.summary}`);

  if (diagnosis.sends.length > 0) {
    output.out('\nsends (newest first)');
    output.out(table(['created', 'send id', 'template', 'caller', 'status', 'verdict', 'stopped at'], diagnosis.sends.map((s) => [s.createdAt, s.sendId, s.template, s.caller, s.status, s.verdict, s.stoppedAt])));
    for (const send of diagnosis.sends) {
      output.out(`\nsend ${send.sendId}: ${send.explanation}`);
      output.out(`  next: ${send.nextStep}`);
      output.out(indent(table(['step', 'outcome', 'detail'], send.steps.map((s) => [s.step, s.outcome, s.detail]), 120)));
      output.out(`  workflow: ${send.workflowUrl}`);
    }
  }
  if (diagnosis.rejectedRequests.length > 0) {
    output.out('\nrefused requests (newest first)');
    output.out(table(['at', 'caller', 'template', 'error', 'receiver as received'], diagnosis.rejectedRequests.map((r) => [r.at, r.caller, r.template, r.errorCode, r.receiverAsReceived.join(', ')])));
  }
  if (diagnosis.windowRequests.length > 0) {
    output.out('\nlatest requests of the window (receivers masked)');
    output.out(table(['at', 'caller', 'template', 'status', 'receivers'], diagnosis.windowRequests.map((r) => [r.at, r.caller, r.template, r.status, r.receivers.join(', ')])));
  }
  return diagnosis.verdict === 'DELIVERED' ? EXIT.OK : EXIT.NOT_OK;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}
