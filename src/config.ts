/**
 * Every setting a Herald process (API, worker, `herald migrate`) reads, each
 * declared once: its parser, its default and its description. `.env.example`
 * and docs/configuration.md are generated from these declarations
 * (`npm run config:docs`; `npm run lint` fails while they are not current).
 * The settings of `npm run dev`, the seed and the sandbox vendor are apart,
 * in src/dev-config.ts: production never parses them.
 *
 * To add a setting: one line in the section it belongs to, with
 * `.describe()`, then `npm run config:docs`.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { describeIssues, type SettingSection } from './settings';

/** Public, for development only: production refuses to start with it. */
const DEV_SECRET_KEY = 'ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=';
/** Public, for development only: production refuses to start with it. */
const DEV_RECEIPT_TOKEN_KEY = 'ZGV2LW9ubHktcmVjZWlwdC10b2tlbi1rZXktMDAwMDA=';

const port = () => z.coerce.number().int().nonnegative();
const clockTime = () => z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:mm');
const flag = () => z.enum(['true', 'false'], { error: 'must be true or false' });

/** A comma-separated list of CIDRs as its entries. */
export function cidrsOf(list: string): string[] {
  return list.split(',').map((cidr) => cidr.trim()).filter((cidr) => cidr.length > 0);
}

const mode = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development').describe('`production` refuses the public development keys and the test whitelist, and refuses private vendor URLs by default'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level (JSON lines on standard output); a worker writes the Temporal SDK entries into the same log, with `component: "temporal-sdk"`'),
};

const storage = {
  DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/herald').describe('Postgres; `herald migrate` creates the database if missing and applies the migrations'),
  DATABASE_TRANSACTION_MAX_WAIT_MS: z.coerce.number().int().positive().default(10_000).describe('how long a database transaction (accepting a message, recording an attempt) may wait for a pooled connection; one that waits longer is refused (the API answers 503 DATABASE_UNAVAILABLE, nothing accepted) instead of queueing without end'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379').describe('dedup, circuit breaker, rate limits'),
  REDIS_KEY_PREFIX: z.string().default('herald:').describe('put in front of every Redis key Herald writes (dedup, rate limits, circuits), so several installations or test files can share one Redis database'),
};

const temporal = {
  TEMPORAL_ADDRESS: z.string().default('').describe('host:port of a Temporal frontend; empty: `npm run dev` starts the dev server, the API and worker use `127.0.0.1:7233`'),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace of every workflow'),
  TEMPORAL_TASK_QUEUE: z.string().default('herald-send').describe('task queue of the send, fan-out and campaign workflows'),
  TEMPORAL_UI_URL: z.string().default('http://localhost:8233').describe('base of the `workflowUrl` links in answers'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(100).describe("the worker's sticky cache, about 0.2 MB a workflow; the least recently used (sleeping sends first) are evicted and replay when they wake. 100: over twice the workflow tasks a worker runs at once. Size it to sends in flight, not those waiting (docs/deployment.md)"),
  WORKFLOW_BUNDLE_PATH: z.string().default('').describe('a workflow bundle built beforehand (src/worker/workflow-bundle.ts) that the worker loads; empty: built JavaScript loads dist/workflow-bundle.js, TypeScript bundles src/workflows at start'),
};

const network = {
  API_PORT: port().default(3000).describe('port of the HTTP API'),
  WORKER_METRICS_PORT: port().default(9464).describe("port of the worker's Prometheus metrics"),
  RELAY_METRICS_PORT: port().default(9466).describe("port of a relay process's Prometheus metrics (the outbox backlog) and of its readiness (`GET /metrics` answers once it runs)"),
  TEMPORAL_SDK_METRICS_PORT: port().default(9465).describe("the Temporal SDK's own worker metrics (`temporal_*`: task slots, poll latency, sticky cache) in Prometheus format; 0 turns them off"),
  PUBLIC_BASE_URL: z.string().optional().describe("public base URL of the API, used in the receipt push URL given to vendors; unset: `http://127.0.0.1:<API_PORT>`"),
  TRUST_PROXY: z.string().default('').describe('express `trust proxy` for the API: empty trusts no proxy, so the source address (receipt source allowlists) is the socket\'s; else a hop count, or the proxies\' addresses/CIDRs/`loopback`'),
};

const secrets = {
  SECRET_KEY: z.string().default(DEV_SECRET_KEY).describe('32 bytes, base64: encrypts vendor secrets at rest (AES-256-GCM). The default is public and refused in production'),
  RECEIPT_TOKEN_KEY: z.string().default(DEV_RECEIPT_TOKEN_KEY).describe("32+ bytes, base64: derives each account's receipt URL token (HMAC). The default is public and refused in production; changing it revokes every receipt URL"),
};

const sending = {
  DEFAULT_PHONE_REGION: z.string().length(2).default('CN').describe('region (ISO 3166 alpha-2) of phone numbers written without `+`'),
  DEFAULT_TIME_ZONE: z.string().default('Asia/Shanghai').describe("night shield time zone of templates without one; billing days"),
  DEFAULT_QUIET_START: clockTime().default('22:00').describe('night shield: quiet hours start (per-template override)'),
  DEFAULT_QUIET_END: clockTime().default('08:00').describe('night shield: quiet hours end (per-template override)'),
  DEFAULT_RELEASE_AT: clockTime().default('09:00').describe('night shield: when deferred sends go (per-template override)'),
  DEFAULT_DEDUP_CONTENT_SECONDS: z.coerce.number().int().nonnegative().default(300).describe('content dedup window (per-template override)'),
  DEFAULT_DEDUP_CONTENT_MAX: z.coerce.number().int().positive().default(1).describe('sends of the same content to one receiver in the window (per-template override)'),
  DEFAULT_DAILY_CAP_MAX: z.coerce.number().int().positive().default(20).describe('sends per receiver per channel per day (per-template override)'),
  REROUTE_MAX_DEFAULT: z.coerce.number().int().min(0).max(5).default(1).describe('re-routes of a send whose receipt failed in a way another vendor may fix (ROUTE_FAILED), within its receipt window; 0 never (per-template override `reroutesMax`)'),
  DEFAULT_VERIFY_SECONDS: z.coerce.number().int().positive().max(86_400).default(120).describe('how long a send asks the vendor about a call whose answer never came (AMBIGUOUS) before it fails over (per-template override; policy VERIFY)'),
  RECEIPT_WINDOW_SECONDS: z.coerce.number().int().positive().default(24 * 3600).describe('how long a send waits for its delivery receipt before it ends EXPIRED'),
  RECEIPT_POLL_FIRST_SECONDS: z.coerce.number().positive().default(30).describe('first receipt poll after the send; then doubling'),
  RECEIPT_POLL_MAX_SECONDS: z.coerce.number().positive().default(1800).describe('longest gap between receipt polls'),
  SCHEDULE_MAX_DAYS: z.coerce.number().int().positive().max(365).default(35).describe('how far ahead `sendAt` may be'),
  API_OUTBOX_RELAY: flag().default('true').transform((value) => value === 'true').describe('whether each API process runs an outbox relay that starts the workflows of what it accepted, woken at once; false when relay processes (`npm run start:relay`) run apart, so answering requests spends no CPU on workflow starts (docs/deployment.md)'),
  OUTBOX_RELAY_POLL_MS: z.coerce.number().int().positive().default(500).describe('how often a relay looks for outbox rows it was not woken for (accepted by another process, a start to retry); a relay process apart from the API only polls'),
  RELAY_CPU_NICE: z.coerce.number().int().min(0).max(19).default(10).describe('the CPU priority a relay process gives itself (nice, 0–19; 0 leaves it): on a host shared with an API, answering requests comes first and the starts fill the gaps'),
  FAN_OUT_MIN_RECEIVERS: z.coerce.number().int().positive().default(200).describe('a message with at least this many sends starts one fan-out workflow (`message-<id>`) instead of one start per send from the API'),
  FAN_OUT_PAGE_SIZE: z.coerce.number().int().positive().max(5_000).default(500).describe('sends whose workflows one fan-out activity starts'),
  FAN_OUT_PAGES_PER_RUN: z.coerce.number().int().positive().max(500).default(50).describe('pages one fan-out run handles before it continues as new, bounding its history'),
  API_LOOKUP_CACHE_MS: z.coerce.number().int().nonnegative().default(3_000).describe("how long an API process keeps an API key, a template and a provider's accounts (for receipt pushes) it looked up: a revoked key, a changed template, or an account's changed receipt sources or secret, reaches every API process within this (a new account at once); 0 reads them every time"),
  ACCOUNT_CACHE_MS: z.coerce.number().int().nonnegative().default(3_000).describe('how long a worker keeps the vendor accounts, route rules and effective weights it loaded: an added, disabled or re-weighted account, a changed route rule or a moved weight reaches running workers within this; 0 reads them for every send'),
  VENDOR_BATCH_WINDOW_MS: z.coerce.number().int().nonnegative().default(20).describe('sends of one account with the same content arriving within this window share one vendor call (where the provider has a batch API); 0 turns it off'),
  VENDOR_BATCH_MAX_SIZE: z.coerce.number().int().positive().default(200).describe('most receivers in one batch vendor call (each provider has its own lower limit too: Tencent 200, Aliyun 100, sandbox 100)'),
};

const fraction = () => z.coerce.number().gt(0).lt(1);

const routing = {
  ROUTE_HEALTH_WINDOW_SECONDS: z.coerce.number().int().min(10).max(24 * 3600).default(600).describe("the rolling window of each account's delivery rate (from receipts) and vendor latency, kept in Redis and shared by every worker and API; a verdict without enough receipts is kept for one window more"),
  ROUTE_HEALTH_MIN_RECEIPTS: z.coerce.number().int().positive().default(20).describe('receipts (and vendor calls, for latency) an account needs in the window before its weight is moved or moved back'),
  ROUTE_HEALTH_WEIGHT_FLOOR: fraction().default(0.05).describe('the least share of its weight an account keeps however far behind it is (never 0: it keeps sending a little, so its recovery is seen)'),
  ROUTE_HEALTH_DEGRADE_GAP: fraction().default(0.1).describe("weight moves away from an account whose delivery rate is this much below the best account's of its channel (0.1: 10 points)"),
  ROUTE_HEALTH_RECOVER_GAP: fraction().default(0.05).describe('weight moves back once the delivery rate is within this of the best again (smaller than ROUTE_HEALTH_DEGRADE_GAP: the hysteresis)'),
  ROUTE_HEALTH_SLOW_FACTOR: z.coerce.number().gt(1).max(100).default(3).describe("weight moves away from an account whose mean vendor latency is over this many times the fastest account's of its channel; back under half-way to it"),
};

const vendorConnections = {
  VENDOR_URLS_ALLOW_PRIVATE: flag().optional().describe('whether vendor connections may go to loopback, private, link-local and other internal addresses (checked when an account is saved and at every connection); unset: allowed, except with `NODE_ENV=production`'),
  VENDOR_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .refine((list) => cidrsOf(list).every((cidr) => ipaddr.isValidCIDR(cidr)), 'must be comma-separated CIDRs, e.g. 10.8.0.0/16')
    .describe("comma-separated CIDRs (`10.8.0.0/16`) vendors may be reached in even when internal destinations are refused: a private link to a vendor's endpoint; empty: public addresses only"),
};

const limits = {
  MAX_RECEIVERS_PER_REQUEST: z.coerce.number().int().positive().default(10_000).describe('receivers in one request; more is a 413'),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024).describe('largest JSON request body; larger is a 413'),
  API_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300).describe("longest the API waits for a whole request to arrive (node's requestTimeout), then 408; bounds an audience upload (1,000,000 rows took 110–255 s on a loaded 2-core machine)"),
  CALLER_RATE_LIMIT_REQUESTS: z.coerce.number().int().positive().default(1200).describe('per API key: `/v1` requests per window, then 429 with Retry-After'),
  CALLER_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60).describe('the window of CALLER_RATE_LIMIT_REQUESTS'),
  RECEIVER_BURST_MAX: z.coerce.number().int().positive().default(10).describe('anti-bombing: accepted sends to one receiver, all callers together, per window'),
  RECEIVER_BURST_WINDOW_SECONDS: z.coerce.number().int().positive().default(60).describe('the window of RECEIVER_BURST_MAX'),
  AUDIENCE_MAX_ROWS: z.coerce.number().int().positive().default(1_000_000).describe('data rows (valid and invalid) in one audience CSV; more is a 413 and nothing is stored'),
  AUDIENCE_MAX_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024).describe('bytes of one audience CSV (512 MiB); more is a 413 and nothing is stored'),
  BILL_MAX_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024).describe('largest vendor bill CSV `POST /v1/reports/billing/compare` reads; larger is a 413'),
  BILL_COMPARE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300).describe('longest a per-message bill comparison may hold its database transaction'),
  RECEIPT_PUSH_MAX_RECEIPTS: z.coerce.number().int().positive().default(500).describe('receipts one vendor push may carry; a larger push is a 413 TOO_MANY_RECEIPTS asking the vendor to split it'),
};

const opsConsole = {
  CONSOLE_DIR: z.string().default('dist/console').describe('where the built ops console is (`npm run build`, `GET /console`), relative to the working directory'),
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12).describe('how long a console sign-in lasts; revoking its API key ends it sooner'),
};

const testEnvironments = {
  WHITELIST_ENABLED: flag().default('false').transform((value) => value === 'true').describe('test mode: only receivers in WHITELIST_RECEIVERS get real sends, the others end FILTERED / NOT_WHITELISTED. Refused in production'),
  WHITELIST_RECEIVERS: z.string().default('').describe('comma-separated receivers (any common format) that get real sends while WHITELIST_ENABLED is true; read by the worker at start'),
};

/** The sections of docs/configuration.md and .env.example, in order. */
export const SETTING_SECTIONS = [
  { title: 'Process', settings: mode },
  { title: 'Storage', settings: storage },
  { title: 'Temporal', settings: temporal },
  { title: 'Ports and addresses', settings: network },
  { title: 'Keys', settings: secrets },
  { title: 'Sending', settings: sending },
  {
    title: 'Routing',
    intro: 'How weights move by delivery rate and vendor latency (docs/routing.md); a weight pinned by hand is never moved.',
    settings: routing,
  },
  {
    title: 'Vendor connections',
    intro: 'Every connection to a vendor passes one outbound guard (docs/security.md): public unicast addresses only, unless these allow more.',
    settings: vendorConnections,
  },
  { title: 'Limits', settings: limits },
  { title: 'Ops console', settings: opsConsole },
  {
    title: 'Test environments',
    intro: 'For test and staging deployments, run with `NODE_ENV=test` (or `development`); production refuses them.',
    settings: testEnvironments,
  },
] as const satisfies readonly SettingSection[];

const configSchema = z
  .object({ ...mode, ...storage, ...temporal, ...network, ...secrets, ...sending, ...routing, ...vendorConnections, ...limits, ...opsConsole, ...testEnvironments })
  .refine((c) => c.NODE_ENV !== 'production' || c.SECRET_KEY !== DEV_SECRET_KEY, {
    message: 'set a SECRET_KEY of your own in production (32 random bytes, base64)',
    path: ['SECRET_KEY'],
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.RECEIPT_TOKEN_KEY !== DEV_RECEIPT_TOKEN_KEY, {
    message: 'set a RECEIPT_TOKEN_KEY of your own in production (32 random bytes, base64)',
    path: ['RECEIPT_TOKEN_KEY'],
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.WHITELIST_ENABLED, {
    message: 'the test whitelist is for non-production modes; production sends to every receiver',
    path: ['WHITELIST_ENABLED'],
  })
  .refine((c) => c.ROUTE_HEALTH_RECOVER_GAP < c.ROUTE_HEALTH_DEGRADE_GAP, {
    message: 'must be smaller than ROUTE_HEALTH_DEGRADE_GAP: a weight moved away comes back only once the account is clearly closer to the best',
    path: ['ROUTE_HEALTH_RECOVER_GAP'],
  })
  .refine((c) => Buffer.from(c.RECEIPT_TOKEN_KEY, 'base64').length >= 32, {
    message: 'must be at least 32 bytes, base64-encoded',
    path: ['RECEIPT_TOKEN_KEY'],
  })
  .transform((c) => ({ ...c, PUBLIC_BASE_URL: c.PUBLIC_BASE_URL ?? `http://127.0.0.1:${c.API_PORT}` }));

export type Config = z.output<typeof configSchema>;

/** The settings from the environment; a bad value stops the process with the variable's name and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
