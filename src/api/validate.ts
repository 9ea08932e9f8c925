import type { z } from 'zod';
import { HttpError } from './http-error';

/** Parses with zod; a failure is a 400 that names every bad field and why. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'params' | 'query' | 'header'): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? fieldPath(issue.path) : where,
    reason: issue.message,
  }));
  throw new HttpError(400, 'INVALID_REQUEST', fields.map((f) => `${f.field}: ${f.reason}`).join('; '), { fields });
}

/** `['receivers', 3]` → `receivers[3]`. */
function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}
