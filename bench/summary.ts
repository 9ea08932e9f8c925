import os from 'node:os';
import { round } from './figures';

/** One line of the summary: a Herald figure beside its same-run anchor, as a ratio, and the goal. */
interface SummaryRow {
  figure: string;
  value: string;
  anchor: string;
  ratio: string;
  goal: string;
}

/** The 1-minute load average, printed with every scenario: on a shared machine only same-run ratios compare. */
export function loadAverage(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(' / ');
}

/** The figures a run ends with, in the order they were measured, printed as one Markdown table. */
export function createSummary() {
  const rows: SummaryRow[] = [];
  return {
    /** A figure with its anchor: the ratio is `value ÷ anchorValue` (or its inverse when `lowerIsBetter`). */
    compare(figure: string, value: number, unit: string, anchor: { name: string; value: number } | null, goal: string, lowerIsBetter = false): void {
      const ratio = anchor === null || anchor.value === 0 ? '–' : String(round(lowerIsBetter ? anchor.value / value : value / anchor.value, 2));
      rows.push({
        figure,
        value: `${round(value, 1)} ${unit}`.trim(),
        anchor: anchor === null ? '–' : `${anchor.name} ${round(anchor.value, 1)} ${unit}`.trim(),
        ratio,
        goal,
      });
    },
    print(): void {
      console.log(`\n== Summary (load average 1 / 5 / 15 min at the end: ${loadAverage()})`);
      console.log('| figure | Herald | anchor (same run) | ratio | goal |');
      console.log('|---|---|---|---|---|');
      for (const row of rows) console.log(`| ${row.figure} | ${row.value} | ${row.anchor} | ${row.ratio} | ${row.goal} |`);
    },
  };
}
