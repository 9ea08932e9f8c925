import { z } from 'zod';
import { postFile, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';
import { table } from '../table';

const uploadedSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  rowCount: z.number(),
  invalidCount: z.number(),
  errorsUrl: z.string(),
  errors: z.array(z.object({ line: z.number(), reason: z.string() })),
});

export interface AudienceUploadRequest {
  file: string;
  name: string;
  channel: string;
}

/** `herald audience upload <file.csv> --name <name> --channel SMS`: exit 0 when the audience is stored (refused rows are listed). */
export async function audienceUploadCommand(target: ApiTarget, request: AudienceUploadRequest, output: Output): Promise<ExitCode> {
  const path = `/v1/audiences?${new URLSearchParams({ name: request.name, channel: request.channel }).toString()}`;
  const answer = await postFile(target, path, request.file, 'text/csv').catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (answer instanceof Error) {
    output.err(`herald: cannot read ${request.file}: ${answer.message}`);
    return EXIT.NOT_OK;
  }
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const audience = uploadedSchema.parse(answer.body);
  output.out(`audience ${audience.id} (${audience.name}) ${audience.status}: ${audience.rowCount} row(s) stored, ${audience.invalidCount} refused`);
  if (audience.errors.length > 0) {
    output.out(table(['line', 'reason'], audience.errors.map((e) => [String(e.line), e.reason])));
    if (audience.invalidCount > audience.errors.length) output.out(`(the first ${audience.errors.length} of ${audience.invalidCount})`);
    output.out(`\nevery refused row as CSV: GET ${audience.errorsUrl} with Accept: text/csv`);
  }
  return EXIT.OK;
}
