import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { eventually } from './herald';

const ROOT = path.resolve(__dirname, '../..');

/** A Herald entry (src/worker/main.ts, src/api/main.ts, or built: dist/worker/main.js) running as its own Node process, as in production. */
export interface HeraldProcess {
  pid: number;
  /** Sends `signal` and resolves with how the process ended. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote so far, stdout (its JSON logs) and stderr together, for a failing test's message. */
  output(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `entry` with `env` on top of this process's environment and waits
 * until `readyUrl` answers. A TypeScript entry runs through tsx, a built one
 * (`dist/...js`) with plain node, as in the image. The child is killed if the
 * test process exits first.
 */
export async function spawnHerald(entry: string, env: Record<string, string>, readyUrl: string): Promise<HeraldProcess> {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${entry}`);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
  });
  const stillRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  await eventually(async () => {
    if (!stillRunning()) throw new Error(`${entry} exited while starting: ${output.slice(-2000)}`);
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) });
    // Read to its end: an unread body keeps its connection open, and with it this jest worker after its last file.
    await response.arrayBuffer();
    return response.ok ? true : undefined;
  }, 90_000, 250).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    pid: child.pid,
    async kill(signal) {
      if (stillRunning()) child.kill(signal);
      return exited;
    },
    output: () => output,
  };
}
