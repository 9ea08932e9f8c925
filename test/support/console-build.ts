import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const SOURCES = path.join(ROOT, 'console');
const BUILT_PAGE = path.join(ROOT, 'dist/console/index.html');

/** The newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);
}

/** When the built page was written, in ms; 0 when there is none. */
function builtAt(): number {
  try {
    return statSync(BUILT_PAGE).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds the console (`npm run build:console`) when dist/console is missing or
 * older than its sources, so a browser test never runs a stale page; otherwise
 * costs one directory walk. Called once per run by test/setup/browser.ts.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (builtAt() > newest(SOURCES)) return;
  await promisify(execFile)('npm', ['run', '--silent', 'build:console'], { cwd: ROOT });
}
