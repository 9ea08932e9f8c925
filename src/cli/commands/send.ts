import { z } from 'zod';
import { callApi, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';
import { table } from '../table';

const acceptedSchema = z.object({
  messageId: z.string(),
  template: z.string(),
  accepted: z.number(),
  replayed: z.boolean(),
  sends: z.array(z.object({ sendId: z.string(), receiver: z.string(), status: z.string() })),
});

export interface SendRequest {
  templateCode: string;
  receivers: string[];
  variables: Record<string, string>;
}

/** `herald send --template <code> --to <receiver> [--var k=v]`: exit 0 when Herald accepted it. */
export async function sendCommand(target: ApiTarget, request: SendRequest, output: Output): Promise<ExitCode> {
  const answer = await callApi(target, 'POST', '/v1/messages', request);
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const accepted = acceptedSchema.parse(answer.body);
  output.out(`message ${accepted.messageId}: ${accepted.accepted} send(s) of ${accepted.template} accepted${accepted.replayed ? ' (replayed)' : ''}`);
  output.out(table(['send id', 'receiver', 'status'], accepted.sends.map((s) => [s.sendId, s.receiver, s.status])));
  output.out('\nfollow one with: herald trace <send id>');
  return EXIT.OK;
}
