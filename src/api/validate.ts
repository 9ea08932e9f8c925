import type { z } from 'zod';
import { HttpError } from './http-error';
import { nulProblems } from './nul-guard';

/** One bad input field, named as the caller wrote it (`config.endpoint`, `receivers[3]`), and why. */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** Parses with zod; a failure is a 400 that names every bad field and why. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'params' | 'query' | 'header'): z.infer<T> {
  const nul = nulProblems(value);
  const parsed = schema.safeParse(value);
  if (parsed.success && nul.length === 0) return parsed.data;
  const problems = [...(parsed.success ? [] : zodProblems(parsed.error)), ...nul].map((p) => (p.field === '' ? { ...p, field: where } : p));
  // A schema that refuses NUL itself names the field with the same reason: listed once.
  const unique = new Map(problems.map((p) => [JSON.stringify([p.field, p.reason]), p]));
  throw invalidRequest([...unique.values()]);
}

/** zod issues as field problems, each path under `prefix` (`config` → `config.endpoint`). */
export function zodProblems(error: z.ZodError, prefix: PropertyKey[] = []): FieldProblem[] {
  return error.issues.map((issue) => ({ field: fieldPath([...prefix, ...issue.path]), reason: issue.message }));
}

/** The 400 for bad input: every problem in the message and in `details.fields`. */
export function invalidRequest(fields: FieldProblem[]): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', fields.map((f) => `${f.field}: ${f.reason}`).join('; '), { fields });
}

/** `['receivers', 3]` → `receivers[3]`. */
export function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}
