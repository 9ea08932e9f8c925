import { MAX_VARIABLES, RESERVED_VARIABLE_NAMES, variableName, VARIABLE_NAME_MESSAGE } from '../shared/variable-rules';

/** The receiver column's name (matched without regard to case). */
export const RECEIVER_COLUMN = 'receiver';

/** Names people give a receiver column; not accepted, but named in the error so the fix is obvious. */
const RECEIVER_LOOKALIKES = ['phone', 'mobile', 'tel', 'email', 'e-mail', 'mail', 'to', '手机', '手机号', '电话', '邮箱'];

/** What the header row says about every data row. */
export interface AudienceHeader {
  /** Fields a data row must have. */
  width: number;
  receiverIndex: number;
  /** The variable columns in file order, and the field index of each. */
  variableColumns: Array<{ name: string; index: number }>;
}

export type HeaderCheck = { ok: true; header: AudienceHeader } | { ok: false; reason: string };

/**
 * Reads the header row of an audience CSV: exactly one `receiver` column,
 * and one column per template variable, named like template variables
 * (letters, digits and _), each name once. Names are trimmed.
 */
export function readAudienceHeader(fields: string[]): HeaderCheck {
  const names = fields.map((field) => field.trim());
  if (names.some((name) => name.includes('\uFFFD'))) return { ok: false, reason: 'the header is not UTF-8 text: save the file as "CSV UTF-8"' };
  const unnamed = names.findIndex((name) => name === '');
  if (unnamed !== -1) return { ok: false, reason: `column ${unnamed + 1} has no name` };
  const receivers = names.flatMap((name, index) => (name.toLowerCase() === RECEIVER_COLUMN ? [index] : []));
  if (receivers.length === 0) {
    const lookalike = names.find((name) => RECEIVER_LOOKALIKES.includes(name.toLowerCase()));
    return { ok: false, reason: `no receiver column: name the column of receivers "${RECEIVER_COLUMN}"${lookalike ? ` (rename "${lookalike}" to "${RECEIVER_COLUMN}")` : ''}` };
  }
  if (receivers.length > 1) return { ok: false, reason: `more than one receiver column (columns ${receivers.map((index) => index + 1).join(' and ')})` };
  const seen = new Map<string, number>();
  const variableColumns: AudienceHeader['variableColumns'] = [];
  for (const [index, name] of names.entries()) {
    const first = seen.get(name);
    if (first !== undefined) return { ok: false, reason: `column name "${name}" appears twice (columns ${first + 1} and ${index + 1})` };
    seen.set(name, index);
    if (index === receivers[0]) continue;
    if (!variableName.safeParse(name).success) return { ok: false, reason: `column ${index + 1} "${name}": ${VARIABLE_NAME_MESSAGE}, not starting with a digit, at most 64` };
    if (RESERVED_VARIABLE_NAMES.includes(name)) return { ok: false, reason: `column ${index + 1} "${name}" is a reserved name` };
    variableColumns.push({ name, index });
  }
  if (variableColumns.length > MAX_VARIABLES) return { ok: false, reason: `more than ${MAX_VARIABLES} variable columns` };
  return { ok: true, header: { width: names.length, receiverIndex: receivers[0] ?? 0, variableColumns } };
}
