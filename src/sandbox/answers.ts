/** How the sandbox vendor answers a failed call: HTTP status plus `{ code, message }`. */
import type { ErrorRequestHandler, Response } from 'express';

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export function answerError(res: Response, answer: ErrorAnswer): void {
  res.status(answer.status).json({ code: answer.code, message: answer.message });
}

function httpStatusOf(error: unknown): number {
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Last handler: body parser errors keep their 4xx status; anything else is INTERNAL_ERROR. */
export const errorAnswerHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const status = httpStatusOf(error);
  const message = error instanceof Error ? error.message : 'unexpected error';
  answerError(res, { status, code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR', message });
};
