/**
 * Night shield: does a send go out now, get dropped, or wait until the quiet hours are over?
 * Pure and deterministic (the caller passes `now`), so it runs inside the workflow sandbox.
 */
import { DateTime, IANAZone } from 'luxon';
import type { ShieldRule } from '../shared/contract';
import type { MessageType } from '../shared/states';

export type ShieldDecision = { action: 'SEND' } | { action: 'DROP' } | { action: 'DEFER'; until: Date };

/** A local wall-clock time of day. */
export interface Clock {
  hour: number;
  minute: number;
}

/** Quiet hours [start, end) in local time; wraps midnight when start is after end. */
interface QuietWindow {
  start: Clock;
  end: Clock;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Parses "HH:mm" (00:00–23:59); throws a RangeError on anything else. */
export function parseClock(text: string): Clock {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) {
    throw new RangeError(`invalid clock time "${text}", expected HH:mm`);
  }
  return { hour, minute };
}

/**
 * What in a template's stored shield settings decideShield could not read, by field
 * (null fields take the configured defaults). Checked before a send is accepted, so a
 * hand-edited template can never start a workflow that fails on it.
 */
export function shieldSettingProblems(settings: {
  quietStart: string | null;
  quietEnd: string | null;
  releaseAt: string | null;
  timeZone: string | null;
}): Array<{ field: string; reason: string }> {
  const problems: Array<{ field: string; reason: string }> = [];
  for (const field of ['quietStart', 'quietEnd', 'releaseAt'] as const) {
    const value = settings[field];
    if (value === null) continue;
    try {
      parseClock(value);
    } catch (error) {
      problems.push({ field, reason: (error as RangeError).message });
    }
  }
  if (settings.timeZone !== null && !IANAZone.isValidZone(settings.timeZone)) {
    problems.push({ field: 'timeZone', reason: `"${settings.timeZone}" is not an IANA time zone` });
  }
  return problems;
}

/**
 * Quiet hours are [quietStart, quietEnd) in the rule's time zone and may wrap midnight.
 * Equal start and end mean no quiet hours. VERIFICATION messages are never shielded.
 */
export function decideShield(now: Date, rule: ShieldRule, messageType: MessageType): ShieldDecision {
  if (messageType === 'VERIFICATION' || rule.policy === 'NONE') return { action: 'SEND' };
  const quiet: QuietWindow = { start: parseClock(rule.quietStart), end: parseClock(rule.quietEnd) };
  const local = toLocal(now, rule.timeZone);
  if (!isQuiet(minuteOfDay(local), quiet)) return { action: 'SEND' };
  if (rule.policy === 'DROP') return { action: 'DROP' };
  return { action: 'DEFER', until: releaseTime(now, local, quiet, parseClock(rule.releaseAt), rule.timeZone) };
}

/**
 * The first `release` wall-clock time at or after the end of the current quiet window;
 * the window end itself when `release` falls inside the quiet hours.
 */
function releaseTime(now: Date, local: DateTime, quiet: QuietWindow, release: Clock, zone: string): Date {
  const startMinute = toMinutes(quiet.start);
  const endMinute = toMinutes(quiet.end);
  const endsTomorrow = startMinute > endMinute && minuteOfDay(local) >= startMinute;
  const endDate = addDays(local, endsTomorrow ? 1 : 0);
  const clock = isQuiet(toMinutes(release), quiet) ? quiet.end : release;
  const releaseDate = toMinutes(clock) >= endMinute ? endDate : addDays(endDate, 1);
  return firstInstantAfter(now, releaseDate, clock, zone);
}

/**
 * The instant of a local date and time, later than `now`. A time skipped by a spring-forward
 * gap moves forward by the gap (02:30 becomes 03:30 EDT); a time repeated by a fall-back
 * overlap takes its earliest occurrence that is still in the future.
 */
function firstInstantAfter(now: Date, date: LocalDate, clock: Clock, zone: string): Date {
  const local = DateTime.fromObject({ ...date, ...clock }, { zone });
  const occurrences = local.getPossibleOffsets().map((dt) => dt.toJSDate());
  return occurrences.find((instant) => instant.getTime() > now.getTime()) ?? local.toJSDate();
}

function isQuiet(minute: number, quiet: QuietWindow): boolean {
  const from = toMinutes(quiet.start);
  const to = toMinutes(quiet.end);
  if (from <= to) return minute >= from && minute < to;
  return minute >= from || minute < to;
}

function toLocal(now: Date, zone: string): DateTime {
  const local = DateTime.fromJSDate(now, { zone });
  if (!local.isValid) throw new RangeError(`invalid time zone "${zone}"`);
  return local;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const { year, month, day } = DateTime.utc(date.year, date.month, date.day).plus({ days });
  return { year, month, day };
}

function minuteOfDay(local: DateTime): number {
  return toMinutes({ hour: local.hour, minute: local.minute });
}

function toMinutes(clock: Clock): number {
  return clock.hour * 60 + clock.minute;
}
