import type { ApiErrorBody } from './api-client';

/** Where a command writes: stdout for results, stderr for problems. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const consoleOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Herald's error answer as lines: the code and message, then each named field and why (`details.fields`, `.invalid`, `.missing`). */
export function printApiError(output: Output, status: number, error: ApiErrorBody): void {
  output.err(`error ${status === 0 ? '' : `${status} `}${error.code}: ${error.message}`);
  const lists = error.details && typeof error.details === 'object' ? Object.values(error.details) : [];
  for (const item of lists.filter(Array.isArray).flat() as unknown[]) {
    if (item && typeof item === 'object' && 'field' in item && 'reason' in item) output.err(`  ${String(item.field)}: ${String(item.reason)}`);
  }
}
