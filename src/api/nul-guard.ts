import { NUL_MESSAGE } from '../shared/variable-rules';
import { fieldPath, invalidRequest, type FieldProblem } from './validate';

/** Most NUL problems one answer lists; the rest of a hostile body is not walked. */
const MAX_PROBLEMS = 20;

/**
 * Where NUL characters are in a request's input (a JSON body, query or path
 * parameters: a string or a key, at any depth), one problem per field.
 * parseOr400 adds them to its own, so every route that reads input refuses
 * NUL with a 400 naming the field: Postgres text cannot hold NUL, and no
 * field of Herald's takes one.
 */
export function nulProblems(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  findNul(value, [], problems);
  return problems;
}

/** 400 naming each field with NUL; for input an adapter parses itself (a receipt push). */
export function refuseNul(value: unknown): void {
  const problems = nulProblems(value);
  if (problems.length > 0) throw invalidRequest(problems);
}

function findNul(value: unknown, path: PropertyKey[], problems: FieldProblem[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) problems.push({ field: fieldPath(path), reason: NUL_MESSAGE });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => findNul(item, [...path, i], problems));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    const keyPath = [...path, key.replaceAll('\u0000', '\\u0000')];
    if (key.includes('\u0000')) problems.push({ field: fieldPath(keyPath), reason: `the name ${NUL_MESSAGE}` });
    findNul(item, keyPath, problems);
  }
}
