import { runCli } from '../../src/cli/run-cli';
import { EXIT } from '../../src/cli/exit-codes';
import type { Output } from '../../src/cli/output';
import { createSandboxVendor, type ListeningSandbox, type SandboxVendor } from '../../src/sandbox/sandbox-vendor';

/** `herald sandbox ...` drives the sandbox vendor's fault controls over its HTTP control routes. */
describe('herald sandbox', () => {
  let vendor: SandboxVendor;
  let listening: ListeningSandbox;
  let env: NodeJS.ProcessEnv;
  const printed: string[] = [];
  const output: Output = { out: (text) => printed.push(text), err: (text) => printed.push(text) };

  beforeAll(async () => {
    vendor = createSandboxVendor({ receiptDelayMs: 0, receiptCallbackUrl: null, appKey: 'cli-app', appSecret: 'cli-secret' });
    listening = await vendor.listen(0, '127.0.0.1');
    env = { HERALD_SANDBOX_URL: `http://127.0.0.1:${listening.port}` };
  });

  afterAll(async () => {
    await listening.close();
  });

  beforeEach(() => {
    printed.length = 0;
    vendor.faults.clear();
  });

  it('queues a fault for the next send calls, sets a standing one, shows and clears them', async () => {
    expect(await runCli(['sandbox', 'fail', '5xx', '--count', '2'], env, output)).toBe(EXIT.OK);
    expect(await runCli(['sandbox', 'fail', 'slow_receipt', '--always', '--factor', '5'], env, output)).toBe(EXIT.OK);
    expect(vendor.faults.state()).toEqual({
      queued: [{ kind: '5xx', timeoutMs: 30_000, factor: 10 }, { kind: '5xx', timeoutMs: 30_000, factor: 10 }],
      always: { kind: 'slow_receipt', timeoutMs: 30_000, factor: 5 },
    });
    printed.length = 0;
    expect(await runCli(['sandbox', 'faults'], env, output)).toBe(EXIT.OK);
    expect(printed.join('\n')).toMatch(/next 1\s+5xx[\s\S]*next 2\s+5xx[\s\S]*always\s+slow_receipt\s+30000\s+5/);
    expect(await runCli(['sandbox', 'clear'], env, output)).toBe(EXIT.OK);
    expect(vendor.faults.state()).toEqual({ queued: [], always: null });
  });

  it('refuses an unknown fault or a bad count before calling the sandbox', async () => {
    expect(await runCli(['sandbox', 'fail', 'meteor'], env, output)).toBe(EXIT.USAGE);
    expect(printed.join('\n')).toContain('give one fault: 5xx, timeout, 429');
    expect(await runCli(['sandbox', 'fail', 'timeout', '--count', '0'], env, output)).toBe(EXIT.USAGE);
    expect(vendor.faults.state()).toEqual({ queued: [], always: null });
  });

  it('says where it looked when the sandbox is not there', async () => {
    expect(await runCli(['sandbox', 'faults'], { HERALD_SANDBOX_URL: 'http://127.0.0.1:9' }, output)).toBe(EXIT.NOT_OK);
    expect(printed.join('\n')).toContain('cannot reach the sandbox vendor at http://127.0.0.1:9');
  });
});
