/**
 * An answer that is not a success: status, a stable code, a sentence, details
 * naming what was wrong, and headers the answer needs (`Retry-After`).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
