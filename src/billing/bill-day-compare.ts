/** A day on which Herald's count and the vendor's count differ. */
export interface DayDifference {
  day: string;
  herald: number;
  vendor: number;
  /** vendor − herald: positive when the vendor billed more than Herald sent. */
  difference: number;
}

/** Every day, of either side, whose counts differ, in day order. */
export function compareDays(herald: ReadonlyMap<string, number>, vendor: ReadonlyMap<string, number>): DayDifference[] {
  const days = [...new Set([...herald.keys(), ...vendor.keys()])].sort();
  return days
    .map((day) => {
      const ours = herald.get(day) ?? 0;
      const theirs = vendor.get(day) ?? 0;
      return { day, herald: ours, vendor: theirs, difference: theirs - ours };
    })
    .filter((d) => d.difference !== 0);
}
