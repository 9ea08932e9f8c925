import { literalPartsOf } from '../shared/template-render';

/**
 * "Who sent this text?": does a piece of a real message come from a
 * template? Placeholders match any text; the piece may be any part of a
 * rendered message, and a vendor signature or other text around it is
 * allowed (it lowers the coverage). Case and runs of white space are ignored.
 */
export interface TemplateMatch {
  /** Characters of the text matched by the template's own words (not by placeholders). */
  matchedChars: number;
  /** matchedChars / the text's length. */
  coverage: number;
  /**
   * The best reading of the text uses all of it: no leftover text before or after (a signature,
   * another message) that only a placeholder could have produced.
   */
  exact: boolean;
}

/** Fewer matched characters than this is a coincidence, not a template. */
const MIN_MATCHED_CHARS = 5;
/** A text that does not fit whole must be at least this much template wording. */
const MIN_COVERAGE = 0.4;
const ANY_TEXT = -1;

export function matchTemplate(content: string, text: string): TemplateMatch | null {
  const fragment = toCodes(normalise(text).trim());
  const pattern = patternOf(content);
  const n = fragment.length;
  const m = pattern.length;
  if (n === 0) return null;

  // Two alignments at once, over (fragment position i, pattern position j), each the most template
  // characters matched so far: `loose` may skip text before and after the match, `whole` may not.
  let loose = new Int32Array(m + 1);
  let whole = new Int32Array(m + 1);
  let best = 0;
  let bestWhole = -1;
  for (let i = 0; i <= n; i += 1) {
    const nextLoose = new Int32Array(m + 1);
    const nextWhole = new Int32Array(m + 1).fill(-1);
    const char = fragment[i];
    for (let j = 0; j <= m; j += 1) {
      if (j > 0 && pattern[j - 1] === ANY_TEXT) {
        // A placeholder may stand for no text at all.
        loose[j] = Math.max(loose[j] ?? 0, loose[j - 1] ?? 0);
        whole[j] = Math.max(whole[j] ?? -1, whole[j - 1] ?? -1);
      }
      const here = loose[j] ?? 0;
      const hereWhole = whole[j] ?? -1;
      best = Math.max(best, here);
      if (i === n) {
        bestWhole = Math.max(bestWhole, hereWhole);
        continue;
      }
      if (j === m) continue;
      if (pattern[j] === ANY_TEXT) {
        nextLoose[j] = Math.max(nextLoose[j] ?? 0, here);
        if (hereWhole >= 0) nextWhole[j] = Math.max(nextWhole[j] ?? -1, hereWhole);
      } else if (pattern[j] === char) {
        nextLoose[j + 1] = Math.max(nextLoose[j + 1] ?? 0, here + 1);
        if (hereWhole >= 0) nextWhole[j + 1] = Math.max(nextWhole[j + 1] ?? -1, hereWhole + 1);
      }
    }
    loose = nextLoose;
    whole = nextWhole;
  }

  const exact = bestWhole >= MIN_MATCHED_CHARS && bestWhole === best;
  const coverage = best / n;
  if (best < MIN_MATCHED_CHARS || (!exact && coverage < MIN_COVERAGE)) return null;
  return { matchedChars: best, coverage: Math.round(coverage * 100) / 100, exact };
}

/**
 * Words of the text for the database's coarse filter (`content ILIKE %word%`):
 * Latin words and numbers of 3+ characters, and pairs of Han characters
 * (Chinese has no spaces). A template matches only if it contains one of them.
 */
export function coarseTerms(text: string, max = 40): string[] {
  const normalised = normalise(text);
  const latin = (normalised.match(/[\p{L}\p{N}]+/gu) ?? []).flatMap((run) => run.split(/\p{Script=Han}+/u)).filter((word) => word.length >= 3);
  const hanPairs = (normalised.match(/\p{Script=Han}+/gu) ?? []).flatMap((run) =>
    run.length < 2 ? [] : Array.from({ length: run.length - 1 }, (_, i) => run.slice(i, i + 2)),
  );
  return [...new Set([...latin, ...hanPairs])].sort((a, b) => b.length - a.length).slice(0, max);
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

function toCodes(text: string): Int32Array {
  return Int32Array.from(text, (char) => char.codePointAt(0) ?? 0);
}

/** The template as code points with ANY_TEXT where a placeholder is. */
function patternOf(content: string): Int32Array {
  const codes: number[] = [];
  literalPartsOf(content).forEach((part, index) => {
    if (index > 0) codes.push(ANY_TEXT);
    codes.push(...toCodes(normalise(part)));
  });
  return Int32Array.from(codes);
}
