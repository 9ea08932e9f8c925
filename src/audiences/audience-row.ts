import type { CountryCode } from 'libphonenumber-js';
import { normaliseReceiver } from '../shared/receivers';
import type { Channel } from '../shared/states';
import { variableText } from '../shared/variable-rules';
import type { AudienceHeader } from './audience-header';

/** How the rows of one audience are read. */
export interface RowRules {
  header: AudienceHeader;
  channel: Channel;
  /** Region of phone numbers written without a country code (DEFAULT_PHONE_REGION). */
  region: CountryCode;
}

export type RowCheck = { ok: true; receiver: string; variables: Record<string, string> } | { ok: false; reason: string };

/**
 * One data row of an audience CSV: as many fields as the header, a receiver
 * valid for the channel (normalised: phones E.164, e-mails lower-cased), and
 * every variable filled with text a template may carry. A bad row gets every
 * problem in one reason, naming columns but never quoting values. Duplicates
 * are found across rows (src/audiences/audience-upload.ts), not here.
 */
export function checkAudienceRow(fields: string[], rules: RowRules): RowCheck {
  const { header } = rules;
  if (fields.length !== header.width) return { ok: false, reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.width}` };
  const problems: string[] = [];
  const receiver = normaliseReceiver(fields[header.receiverIndex] ?? '', rules.channel, rules.region);
  if (!receiver.ok) problems.push(`receiver ${receiver.reason}`);
  const variables: Record<string, string> = {};
  for (const { name, index } of header.variableColumns) {
    const value = fields[index] ?? '';
    const problem = variableProblem(value);
    if (problem) problems.push(`${name} ${problem}`);
    else variables[name] = value;
  }
  if (!receiver.ok || problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return { ok: true, receiver: receiver.receiver, variables };
}

/** The reason of a row whose receiver an earlier row has. */
export function duplicateReason(firstLine: number): string {
  return `duplicate of line ${firstLine}`;
}

function variableProblem(value: string): string | null {
  if (value.trim() === '') return 'is empty';
  if (value.includes('\uFFFD')) return 'is not UTF-8 text (save the file as "CSV UTF-8")';
  const parsed = variableText.safeParse(value);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'is not valid text');
}
