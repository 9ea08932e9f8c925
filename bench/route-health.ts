/**
 * `npm run bench:routing`: the delivered ratio when one vendor's receipts
 * degrade mid-run, with and without delivery-rate weights, side by side in
 * one run. Two routes run at once on the same schedule, each with its own
 * fake Tencent and fake Aliyun API on 127.0.0.1 (equal weights): in one the
 * weights are pinned (what Herald did before), in the other they follow the
 * delivery rate (src/routing/route-health.ts). A quarter into the run half of
 * each Aliyun's messages start being reported UNDELIVERED; the figures are
 * given before, during the first window after (while the failures fill the
 * window) and once a whole window holds them.
 *
 * Real here: the adapters and their signed calls to the fakes, the receipts
 * the fakes push (read by the adapters), the routing health store in Redis,
 * the judgement and the workflow's weighted pick (orderRoute). Left out: the
 * API, Temporal and Postgres (the end-to-end bench measures those). Bounded:
 * a fixed number of sends at a fixed rate. Nothing is asserted; the figures
 * are printed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis } from '../src/runtime/redis';
import { createLogger } from '../src/logger';
import { createRouteHealth, type RouteHealth } from '../src/routing/route-weights';
import { createAliyunSmsAdapter } from '../src/vendors/aliyun-sms';
import { createTencentSmsAdapter } from '../src/vendors/tencent-sms';
import type { VendorAccount, VendorAdapter } from '../src/vendors/types';
import { orderRoute, type RouteCandidate } from '../src/workflows/route-order';
import { loadConfig } from '../src/config';
import { startAliyunFake, type AliyunFake } from '../test/fakes/aliyun-sms-server';
import { startTencentFake, type TencentFake } from '../test/fakes/tencent-sms-server';
import { readBody } from '../test/fakes/fake-vendor';
import { testOutbound } from '../test/support/outbound';
import { printFigures, round } from './figures';

const SENDS = 2_400;
const PER_SECOND = 40;
/** Aliyun degrades after this many sends (a quarter of the run: 15 s in). */
const DEGRADE_AT = SENDS / 4;
const WINDOW_SECONDS = 20;
/** How long the bench waits for the last receipts after the last send. */
const DRAIN_MS = 5_000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

const tencentAdapter = createTencentSmsAdapter(testOutbound);
const aliyunAdapter = createAliyunSmsAdapter(testOutbound);

/** Before the degradation; within its first window; after that. */
const PHASES = ['before', 'first window after', 'later'] as const;
type Phase = (typeof PHASES)[number];

interface Outcome {
  sent: number;
  delivered: number;
  undelivered: number;
}

interface Route {
  name: string;
  health: RouteHealth;
  tencent: { fake: TencentFake; account: VendorAccount };
  aliyun: { fake: AliyunFake; account: VendorAccount };
  /** Pinned weights: the route without delivery-rate weights. */
  pinned: boolean;
  /** Sends and their receipts per phase, per account. */
  phases: Record<Phase, Map<string, Outcome>>;
  /** Which phase each vendor message belongs to, and its account. */
  messages: Map<string, { phase: Phase; accountId: string }>;
  /** Seconds from the degradation until Aliyun's effective weight first went down. */
  movedAfterS: number | null;
  /** Its receipt endpoints. */
  servers: Server[];
  /** Vendor calls that failed (a timeout on a loaded machine): no send, no receipt. */
  failedCalls: number;
  close(): Promise<void>;
}

function outcome(map: Map<string, Outcome>, accountId: string): Outcome {
  const found = map.get(accountId) ?? { sent: 0, delivered: 0, undelivered: 0 };
  map.set(accountId, found);
  return found;
}

/** A receipt endpoint per route: the fakes push here; each receipt counts into the route's health and its outcome. */
async function receiptEndpoint(route: Route, adapter: VendorAdapter, account: VendorAccount): Promise<Server> {
  const server = createServer((req, res) => {
    void readBody(req).then(async (text) => {
      const receipts = adapter.parsePushedReceipts?.(JSON.parse(text) as unknown, account) ?? [];
      const { health, messages, phases } = route;
      await health.store.recordReceipts(account.id, receipts);
      for (const receipt of receipts) {
        const message = messages.get(receipt.vendorMessageId);
        if (!message) continue;
        const counted = outcome(phases[message.phase], message.accountId);
        if (receipt.status === 'DELIVERED') counted.delivered += 1;
        else counted.undelivered += 1;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function startRoute(name: string, pinned: boolean): Promise<Route> {
  const config = loadConfig({ ...process.env, ROUTE_HEALTH_WINDOW_SECONDS: String(WINDOW_SECONDS) });
  const redis = createRedis(REDIS_URL, `herald-bench:routing:${name}:${Date.now()}:`);
  const health = createRouteHealth(redis, config, createLogger({ level: 'silent', name: 'bench', pretty: false }));
  const tencentFake = await startTencentFake({ secretId: `AKID${name}`, secretKey: 'bench-key', smsSdkAppId: '1400000000', receiptDelayMs: 200 });
  const aliyunFake = await startAliyunFake({ accessKeyId: `LTAI${name}`, accessKeySecret: 'bench-secret', receiptDelayMs: 200 });
  const tencent: VendorAccount = {
    id: `${name}-tencent`, name: 'tencent', provider: 'tencent', channel: 'SMS',
    config: { smsSdkAppId: '1400000000', signName: 'Herald', endpoint: tencentFake.endpoint }, secrets: { secretId: `AKID${name}`, secretKey: 'bench-key' },
  };
  const aliyun: VendorAccount = {
    id: `${name}-aliyun`, name: 'aliyun', provider: 'aliyun', channel: 'SMS',
    config: { signName: 'Herald', endpoint: aliyunFake.endpoint }, secrets: { accessKeyId: `LTAI${name}`, accessKeySecret: 'bench-secret' },
  };
  const route: Route = {
    name, health, pinned, tencent: { fake: tencentFake, account: tencent }, aliyun: { fake: aliyunFake, account: aliyun },
    phases: { before: new Map(), 'first window after': new Map(), later: new Map() }, messages: new Map(), movedAfterS: null, servers: [], failedCalls: 0,
    close: async () => {
      await tencentFake.close();
      await aliyunFake.close();
      for (const server of route.servers) await new Promise((resolve) => server.close(resolve));
      redis.disconnect();
    },
  };
  const tencentReceipts = await receiptEndpoint(route, tencentAdapter, tencent);
  const aliyunReceipts = await receiptEndpoint(route, aliyunAdapter, aliyun);
  route.servers.push(tencentReceipts, aliyunReceipts);
  tencentFake.setCallbackUrl(`http://127.0.0.1:${(tencentReceipts.address() as AddressInfo).port}/`);
  aliyunFake.setCallbackUrl(`http://127.0.0.1:${(aliyunReceipts.address() as AddressInfo).port}/`);
  return route;
}

async function sendOne(route: Route, i: number, degradedAt: number | null): Promise<void> {
  const accounts = [route.tencent.account, route.aliyun.account];
  const verdicts = await route.health.weights.weigh(accounts.map((account) => ({ id: account.id, name: account.name, weight: 1, pinnedWeight: route.pinned ? 1 : null })));
  const aliyunVerdict = verdicts.get(route.aliyun.account.id);
  if (degradedAt !== null && route.movedAfterS === null && (aliyunVerdict?.effectiveWeight ?? 1) < 1) route.movedAfterS = (Date.now() - degradedAt) / 1000;
  const candidates: RouteCandidate[] = accounts.map((account) => ({
    accountId: account.id, account: account.name, provider: account.provider, weight: verdicts.get(account.id)?.effectiveWeight ?? 1, priority: 1, circuitOpen: false,
  }));
  const [first] = orderRoute(candidates, Math.random);
  const account = first?.accountId === route.aliyun.account.id ? route.aliyun.account : route.tencent.account;
  const adapter = account === route.aliyun.account ? aliyunAdapter : tencentAdapter;
  const phase: Phase = degradedAt === null ? 'before' : Date.now() - degradedAt < WINDOW_SECONDS * 1000 ? 'first window after' : 'later';
  const started = performance.now();
  try {
    const accepted = await adapter.send(account, {
      sendId: `bench-${route.name}-${i}`, reference: `bench-${route.name}-${i}`, receiver: `+86137${String(i).padStart(8, '0')}`, content: 'Hello Li, your order A-1 has shipped.',
      subject: null, vendorTemplateId: account === route.aliyun.account ? 'SMS_154950909' : '1234567:name,order', variables: { name: 'Li', order: 'A-1' },
    });
    route.messages.set(accepted.vendorMessageId, { phase, accountId: account.id });
    outcome(route.phases[phase], account.id).sent += 1;
  } finally {
    await route.health.store.recordCall(account.id, performance.now() - started);
  }
}

function figuresOf(route: Route, phase: Phase) {
  const tencent = outcome(route.phases[phase], route.tencent.account.id);
  const aliyun = outcome(route.phases[phase], route.aliyun.account.id);
  const sent = tencent.sent + aliyun.sent;
  const delivered = tencent.delivered + aliyun.delivered;
  return { sent, delivered, undelivered: tencent.undelivered + aliyun.undelivered, ratio: sent === 0 ? 0 : delivered / sent, aliyunShare: sent === 0 ? 0 : aliyun.sent / sent };
}

async function main(): Promise<void> {
  const routes = [await startRoute('pinned', true), await startRoute('weighted', false)];
  try {
    let degradedAt: number | null = null;
    const inFlight: Array<Promise<void>> = [];
    const started = Date.now();
    for (let i = 0; i < SENDS; i += 1) {
      if (i === DEGRADE_AT) {
        for (const route of routes) route.aliyun.fake.faults.some({ kind: 'undelivered', code: 'MK:0000' }, 0.5);
        degradedAt = Date.now();
      }
      for (const route of routes) {
        inFlight.push(sendOne(route, i, degradedAt).catch(() => {
          route.failedCalls += 1;
        }));
      }
      const due = started + ((i + 1) * 1000) / PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    await Promise.all(inFlight);
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));

    for (const route of routes) {
      const phases = PHASES.map((phase) => figuresOf(route, phase));
      const all = phases.reduce((sum, phase) => ({ sent: sum.sent + phase.sent, delivered: sum.delivered + phase.delivered, undelivered: sum.undelivered + phase.undelivered }), { sent: 0, delivered: 0, undelivered: 0 });
      const each = (read: (phase: (typeof phases)[number]) => number) => phases.map((phase) => round(read(phase), 3)).join(' / ');
      printFigures(`${route.pinned ? 'without delivery-rate weights (pinned 1 : 1)' : 'with delivery-rate weights'}: ${SENDS} sends at ${PER_SECOND}/s, Aliyun 50% UNDELIVERED from send ${DEGRADE_AT}, window ${WINDOW_SECONDS} s`, {
        'delivered ratio, whole run': round(all.sent === 0 ? 0 : all.delivered / all.sent, 3),
        [`delivered ratio, ${PHASES.join(' / ')}`]: each((phase) => phase.ratio),
        [`share of sends to Aliyun, ${PHASES.join(' / ')}`]: each((phase) => phase.aliyunShare),
        [`sends, ${PHASES.join(' / ')}`]: each((phase) => phase.sent),
        'seconds until Aliyun\'s weight went down': route.movedAfterS === null ? 'never' : round(route.movedAfterS, 1),
        'sends without a receipt at the end': all.sent - all.delivered - all.undelivered,
        'vendor calls that failed (not sent)': route.failedCalls,
      });
    }
  } finally {
    for (const route of routes) await route.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
