import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const ROOT = path.join(__dirname, '..', '..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/herald.js` as ops would: a separate process talking HTTP to Herald. */
function herald(args: string[], env: Record<string, string>, command: string[] = ['node', 'bin/herald.js']): Promise<CliRun> {
  return new Promise((resolve) => {
    const [file = 'node', ...prefix] = command;
    execFile(file, [...prefix, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the ops CLI (bin/herald.js) against a running Herald', () => {
  let running: RunningHerald;
  let env: Record<string, string>;

  beforeAll(async () => {
    running = await startHerald();
    env = { HERALD_URL: running.baseUrl, HERALD_API_KEY: running.apiKey };
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('sends, then diagnoses (exit 0: delivered) and traces the send', async () => {
    const sent = await herald(['send', '--template', 'welcome_sms', '--to', '+86 139 1234 5031', '--var', 'name=Li', '--var', 'order=C=1'], env);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(sent.stdout).toContain('1 send(s) of welcome_sms accepted');
    const sendId = /([0-9a-f-]{36})\s+\+8613912345031\s+ACCEPTED/.exec(sent.stdout)?.[1];
    expect(sendId).toBeDefined();
    const row = await eventually(() => running.deps.prisma.send.findFirst({ where: { id: sendId, status: 'DELIVERED' } }).then((r) => r ?? undefined));
    expect(row.content).toBe('Hello Li, your order C=1 has shipped.');

    const diagnosed = await herald(['diagnose', '139-1234-5031'], env);
    expect(diagnosed.code).toBe(0);
    expect(diagnosed.stdout).toContain('verdict   DELIVERED');
    expect(diagnosed.stdout).toMatch(/receipt\s+passed/);
    expect(diagnosed.stdout).toContain(`workflow: ${running.deps.config.TEMPORAL_UI_URL}`);

    const traced = await herald(['trace', sendId ?? ''], env);
    expect(traced.code).toBe(0);
    expect(traced.stdout).toContain(`send ${sendId}: DELIVERED`);
    expect(traced.stdout).toMatch(/1\s+vendor\s+vendor sandbox-primary attempt 1: completed/);
  });

  it('exit 1: not delivered, not found, refused', async () => {
    const never = await herald(['diagnose', '+8613700005555'], env);
    expect(never.code).toBe(1);
    expect(never.stdout).toContain('verdict   NOT_CALLED');

    const unknown = await herald(['trace', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('404 SEND_NOT_FOUND');

    const refused = await herald(['send', '--template', 'welcome_sms', '--to', '+8613912345032', '--var', 'name=Li'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 MISSING_VARIABLES');
    expect(refused.stderr).toContain('variables.order: template welcome_sms uses {order}');
  });

  it('uploads an audience CSV from a file, listing the refused rows', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'herald-cli-')), 'buyers.csv');
    await writeFile(file, 'receiver,name\n139 1234 5041,Li\n1391234,Wang\n+8613912345041,Zhao\n');
    const uploaded = await herald(['audience', 'upload', file, '--name', 'cli buyers', '--channel', 'SMS'], env);
    expect(uploaded).toMatchObject({ code: 0, stderr: '' });
    expect(uploaded.stdout).toContain('(cli buyers) READY: 1 row(s) stored, 2 refused');
    expect(uploaded.stdout).toMatch(/3\s+receiver is not a valid phone number/);
    expect(uploaded.stdout).toMatch(/4\s+duplicate of line 2/);
    const refused = await herald(['audience', 'upload', file, '--name', 'x', '--channel', 'FAX'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 INVALID_REQUEST');
    expect((await herald(['audience', 'upload', `${file}.missing`, '--name', 'x', '--channel', 'SMS'], env)).code).toBe(1);
    expect((await herald(['audience', 'upload', file, '--channel', 'SMS'], env)).code).toBe(2);
  });

  it('exit 2: usage errors, before asking Herald anything', async () => {
    expect((await herald(['diagnose'], env)).code).toBe(2);
    expect((await herald(['send', '--to', '+8613912345033'], env)).code).toBe(2);
    expect((await herald(['send', '--template', 'welcome_sms', '--to', '+8613912345033', '--var', 'novalue'], env)).stderr).toContain('--var novalue: write it as name=value');
    const noKey = await herald(['trace', 'x'], { HERALD_URL: running.baseUrl });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('set HERALD_API_KEY');
  });

  it('runs as `npx herald`', async () => {
    const help = await herald(['--help'], env, ['npx', '--no-install', 'herald']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('herald diagnose <receiver>');
  });
});
