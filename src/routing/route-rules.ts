/**
 * Routes by destination: which accounts a send may use, by its channel, its
 * receiver's number prefix and its message type (docs/routing.md). Pure:
 * the rules come in, the matching rule or the problems of a new rule go out.
 * Stored in Postgres (`route_rule`), read through a short cache
 * (route-rule-directory.ts).
 */
import { getCountries, getCountryCallingCode } from 'libphonenumber-js';
import type { Channel, MessageType } from '../shared/states';

export interface RouteRule {
  id: string;
  channel: Channel;
  /** `+` and digits; null: every receiver of the channel. */
  prefix: string | null;
  /** null: every message type. */
  messageType: MessageType | null;
  accountIds: string[];
}

/** What a rule is matched against. */
export interface RouteRequest {
  channel: Channel;
  receiver: string;
  /** The template's message type, as stored. */
  messageType: string;
}

/** The channel whose receivers are phone numbers: the only one a prefix applies to. */
export const PREFIX_CHANNEL: Channel = 'SMS';

/** `+`, then 1 to 15 digits, not starting with 0 (E.164 has at most 15). */
const PREFIX_PATTERN = /^\+[1-9]\d{0,14}$/;

/** Every country calling code libphonenumber knows, without `+` (`86`, `1`, `44`, ...). */
const CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((country) => String(getCountryCallingCode(country))));

/**
 * The rule for a send: among the rules of its channel whose prefix starts its
 * receiver and whose message type is its own or any, the longest prefix (a
 * rule without prefix is the shortest), then the one naming the message
 * type. Null when none matches: the send uses the channel's default route.
 */
export function matchRule(rules: readonly RouteRule[], request: RouteRequest): RouteRule | null {
  const matching = rules.filter((rule) =>
    rule.channel === request.channel &&
    (rule.prefix === null || request.receiver.startsWith(rule.prefix)) &&
    (rule.messageType === null || rule.messageType === request.messageType));
  return matching.sort(bySpecificity)[0] ?? null;
}

function bySpecificity(a: RouteRule, b: RouteRule): number {
  const length = (rule: RouteRule) => rule.prefix?.length ?? 0;
  if (length(a) !== length(b)) return length(b) - length(a);
  return Number(b.messageType !== null) - Number(a.messageType !== null);
}

/** `SMS to +86, any message type` */
export function describeRule(rule: { channel: string; prefix: string | null; messageType: string | null }): string {
  return `${rule.channel} to ${rule.prefix ?? 'every receiver'}, ${rule.messageType ?? 'any message type'}`;
}

/** Why a prefix cannot be a rule's (for `channel`), or null. */
export function prefixProblem(prefix: string | null, channel: Channel): string | null {
  if (prefix === null) return null;
  if (channel !== PREFIX_CHANNEL) return `a prefix applies only to ${PREFIX_CHANNEL} (phone numbers); leave it out for ${channel}`;
  if (!PREFIX_PATTERN.test(prefix)) return 'must be + and 1 to 15 digits (a country calling code or a longer number prefix), e.g. +86 or +8613';
  const digits = prefix.slice(1);
  const known = [1, 2, 3].some((length) => CALLING_CODES.has(digits.slice(0, length)) && digits.length >= length);
  return known ? null : `${prefix} does not start with a country calling code`;
}

/** The rule among `rules` (other than `exceptId`) that already routes the same channel, prefix and message type, or null. */
export function ambiguousWith(rules: readonly RouteRule[], candidate: Pick<RouteRule, 'channel' | 'prefix' | 'messageType'>, exceptId: string | null): RouteRule | null {
  return rules.find((rule) =>
    rule.id !== exceptId && rule.channel === candidate.channel && rule.prefix === candidate.prefix && rule.messageType === candidate.messageType) ?? null;
}
