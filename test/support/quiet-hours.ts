/** Quiet hours around the current UTC hour (an hour back to two ahead, release at three), so a DEFER template defers right now. */
export function quietHoursNow(): { quietStart: string; quietEnd: string; releaseAt: string; timeZone: string } {
  const hour = new Date().getUTCHours();
  const hh = (offset: number) => `${String((hour + offset + 24) % 24).padStart(2, '0')}:00`;
  return { quietStart: hh(-1), quietEnd: hh(2), releaseAt: hh(3), timeZone: 'UTC' };
}
