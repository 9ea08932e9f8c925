import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { parseChatTarget } from './chat-target';
import type { Channel } from './states';

export type ReceiverCheck =
  | { ok: true; receiver: string }
  | { ok: false; reason: string };

const CONTROL_NAMES: Record<string, string> = {
  '\t': 'a tab', '\n': 'a line break', '\r': 'a carriage return', '\u2028': 'a line separator', '\u2029': 'a paragraph separator',
};

/** Finds the first control, invisible format or line/paragraph separator character: these come from bad copy-paste and are never sent. */
function findControlCharacter(raw: string): { index: number; name: string } | null {
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index] ?? '';
    if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(char)) {
      const code = char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '';
      return { index, name: CONTROL_NAMES[char] ?? `the invisible character U+${code}` };
    }
  }
  return null;
}

/** Phones to E.164 (spaces, dashes, dots and brackets are formatting and are dropped). */
export function normalisePhone(raw: string, defaultRegion: CountryCode): ReceiverCheck {
  const control = findControlCharacter(raw);
  if (control) return { ok: false, reason: `contains ${control.name} at position ${control.index + 1}` };
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (!/^\+?[\d\s().-]+$/.test(text)) return { ok: false, reason: 'has characters that are not part of a phone number' };
  const phone = parsePhoneNumberFromString(text, defaultRegion);
  if (!phone?.isValid()) return { ok: false, reason: 'is not a valid phone number' };
  return { ok: true, receiver: phone.number };
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(raw: string): ReceiverCheck {
  const control = findControlCharacter(raw);
  if (control) return { ok: false, reason: `contains ${control.name} at position ${control.index + 1}` };
  const text = raw.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(text) || text.length > 254) return { ok: false, reason: 'is not a valid e-mail address' };
  return { ok: true, receiver: text };
}

/** Chat robots: `group`, `@all` or `@<userId>` (see chat-target.ts); the robot account is the group. */
export function normaliseChatTarget(raw: string): ReceiverCheck {
  const control = findControlCharacter(raw);
  if (control) return { ok: false, reason: `contains ${control.name} at position ${control.index + 1}` };
  const text = raw.trim();
  if (!parseChatTarget(text)) {
    return { ok: false, reason: 'must be "group", "@all" or "@" followed by a member\'s user id (letters, digits, . _ @ -, at most 128)' };
  }
  return { ok: true, receiver: text };
}

export function normaliseReceiver(raw: string, channel: Channel, defaultRegion: CountryCode): ReceiverCheck {
  switch (channel) {
    case 'SMS':
      return normalisePhone(raw, defaultRegion);
    case 'EMAIL':
      return normaliseEmail(raw);
    case 'CHAT':
      return normaliseChatTarget(raw);
  }
}

/**
 * A lenient key for finding a receiver in records, whatever it looked like
 * when it arrived: control, invisible and formatting characters are dropped,
 * e-mails lower-cased, phones in E.164 when they parse. So `+86 138\t0013 8000`
 * (rejected at the API) and `+8613800138000` (sent) have the same key.
 */
export function receiverSearchKey(raw: string, defaultRegion: CountryCode): string {
  const stripped = raw.replace(/[\p{Cc}\p{Cf}\s]/gu, '');
  if (stripped.includes('@')) return stripped.toLowerCase();
  const phone = normalisePhone(stripped, defaultRegion);
  return phone.ok ? phone.receiver : stripped;
}

/** Makes control and invisible characters visible (`\t`, `\u200B`), so ops see why a receiver was refused. */
export function showInvisible(raw: string): string {
  return raw.replace(/[\p{Cc}\p{Cf}]/gu, (char) => {
    const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };
    return named[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/**
 * The search key of a receiver as normalised for sending (normaliseReceiver): the same key its raw
 * form has (receiverSearchKey), without parsing the phone number again: an E.164 phone and a
 * trimmed, lower-cased e-mail are their own keys.
 */
export function searchKeyOfNormalised(receiver: string, channel: Channel, defaultRegion: CountryCode): string {
  return channel === 'CHAT' ? receiverSearchKey(receiver, defaultRegion) : receiver;
}
