import { z } from 'zod';

/** Public, for development only: production refuses to start with it. */
const DEV_SECRET_KEY = 'ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=';
/** Public, for development only: production refuses to start with it. */
const DEV_RECEIPT_TOKEN_KEY = 'ZGV2LW9ubHktcmVjZWlwdC10b2tlbi1rZXktMDAwMDA=';

/** Every setting Herald reads, with its default. `.env.example` lists the same names. */
const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/herald'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** host:port of a Temporal frontend; empty means `npm run dev` starts the dev server itself. */
  TEMPORAL_ADDRESS: z.string().default(''),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('herald-send'),
  TEMPORAL_CLI_PATH: z.string().default(''),
  TEMPORAL_UI_URL: z.string().default('http://localhost:8233'),
  HERALD_DATA_DIR: z.string().default('.herald'),
  API_PORT: z.coerce.number().int().nonnegative().default(3000),
  WORKER_METRICS_PORT: z.coerce.number().int().nonnegative().default(9464),
  /** The Temporal SDK's own worker metrics (task slots, poll latency, sticky cache) in Prometheus format; 0 turns them off. */
  TEMPORAL_SDK_METRICS_PORT: z.coerce.number().int().nonnegative().default(9465),
  /** Public base URL of the API, used in the receipt push URL given to vendors. */
  PUBLIC_BASE_URL: z.string().default('http://127.0.0.1:3000'),
  SANDBOX_VENDOR_PORT: z.coerce.number().int().nonnegative().default(4010),
  /** Where the seeded sandbox account sends (the sandbox vendor of `npm run dev`). */
  SANDBOX_VENDOR_URL: z.string().default('http://127.0.0.1:4010'),
  SANDBOX_APP_KEY: z.string().default('sandbox-app'),
  SANDBOX_APP_SECRET: z.string().default('sandbox-secret'),
  SANDBOX_RECEIPT_DELAY_MS: z.coerce.number().int().nonnegative().default(2000),
  /** 32-byte key (base64) that encrypts vendor secrets at rest. */
  SECRET_KEY: z.string().default(DEV_SECRET_KEY),
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  DEFAULT_PHONE_REGION: z.string().length(2).default('CN'),
  DEFAULT_TIME_ZONE: z.string().default('Asia/Shanghai'),
  DEFAULT_QUIET_START: z.string().regex(/^\d{2}:\d{2}$/).default('22:00'),
  DEFAULT_QUIET_END: z.string().regex(/^\d{2}:\d{2}$/).default('08:00'),
  DEFAULT_RELEASE_AT: z.string().regex(/^\d{2}:\d{2}$/).default('09:00'),
  DEFAULT_DEDUP_CONTENT_SECONDS: z.coerce.number().int().nonnegative().default(300),
  DEFAULT_DEDUP_CONTENT_MAX: z.coerce.number().int().positive().default(1),
  DEFAULT_DAILY_CAP_MAX: z.coerce.number().int().positive().default(20),
  /** How long a send waits for its delivery receipt before it ends EXPIRED. */
  RECEIPT_WINDOW_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  RECEIPT_POLL_FIRST_SECONDS: z.coerce.number().positive().default(30),
  RECEIPT_POLL_MAX_SECONDS: z.coerce.number().positive().default(1800),
  /** Server key (base64, at least 32 bytes) from which each account's receipt URL token is derived (HMAC). */
  RECEIPT_TOKEN_KEY: z.string().default(DEV_RECEIPT_TOKEN_KEY),
  MAX_RECEIVERS_PER_REQUEST: z.coerce.number().int().positive().default(10_000),
  /** A message with at least this many sends starts one fan-out workflow (`message-<id>`) instead of one start per send from the API. */
  FAN_OUT_MIN_RECEIVERS: z.coerce.number().int().positive().default(200),
  /** Sends whose workflows one fan-out activity starts. */
  FAN_OUT_PAGE_SIZE: z.coerce.number().int().positive().max(5_000).default(500),
  /** Pages one fan-out run handles before it continues as new, bounding its history. */
  FAN_OUT_PAGES_PER_RUN: z.coerce.number().int().positive().max(500).default(50),
  /** Largest request body the API reads; a larger one is a 413. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  /** Longest the API waits for a whole request to arrive (node's requestTimeout); a slower one is a 408. Bounds a large audience upload. */
  API_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300),
  /** Largest vendor bill CSV `POST /v1/reports/billing/compare` reads; a larger one is a 413. */
  BILL_MAX_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024),
  /** Longest a per-message bill comparison may hold its database transaction (loading the bill and joining it). */
  BILL_COMPARE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300),
  /** Most data rows (valid and invalid) one audience CSV may hold; a longer file is a 413 and nothing is stored. */
  AUDIENCE_MAX_ROWS: z.coerce.number().int().positive().default(1_000_000),
  /** Largest audience CSV body in bytes; a larger one is a 413 and nothing is stored. */
  AUDIENCE_MAX_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  /** Per API key: at most this many `/v1` requests per window, then 429 with Retry-After. */
  CALLER_RATE_LIMIT_REQUESTS: z.coerce.number().int().positive().default(1200),
  CALLER_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** Anti-bombing: at most this many accepted sends to one receiver (all callers together) per window. */
  RECEIVER_BURST_MAX: z.coerce.number().int().positive().default(10),
  RECEIVER_BURST_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** Scheduled sends: `sendAt` may be at most this many days ahead. */
  SCHEDULE_MAX_DAYS: z.coerce.number().int().positive().max(365).default(35),
  /** Test mode: only receivers in WHITELIST_RECEIVERS get real sends, the others end FILTERED / NOT_WHITELISTED. Refused in production. */
  WHITELIST_ENABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((flag) => flag === 'true'),
  /** Comma-separated receivers (any common format) that get real sends while WHITELIST_ENABLED is true. */
  WHITELIST_RECEIVERS: z.string().default(''),
  /** Vendor account URLs may point at loopback or private addresses; unset: allowed except in production. */
  VENDOR_URLS_ALLOW_PRIVATE: z.enum(['true', 'false']).optional(),
  /**
   * Express `trust proxy` for the API: empty (default) trusts no proxy, so a request's address (receipt
   * source allowlists) is the socket's; else a hop count or comma-separated addresses/CIDRs/`loopback` of your proxies.
   */
  TRUST_PROXY: z.string().default(''),
  /** Sends of one account with the same content arriving within this window share one vendor call (where the provider has a batch API); 0 turns it off. */
  VENDOR_BATCH_WINDOW_MS: z.coerce.number().int().nonnegative().default(20),
  /** Most receivers in one batch vendor call (each provider has its own lower limit too: Tencent 200, Aliyun 100, sandbox 100). */
  VENDOR_BATCH_MAX_SIZE: z.coerce.number().int().positive().default(200),
  /** Where the built ops console is (`npm run build:console`), relative to the working directory. */
  CONSOLE_DIR: z.string().default('dist/console'),
  /** How long a console sign-in lasts; revoking its API key ends it sooner. */
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** Seed: the API key printed for the first user. Only its hash is stored. */
  SEED_API_KEY: z.string().default('hk_dev_sandbox_key_0000000000000000'),
}).refine((c) => c.NODE_ENV !== 'production' || c.SECRET_KEY !== DEV_SECRET_KEY, {
  message: 'set a SECRET_KEY of your own in production (32 random bytes, base64)',
  path: ['SECRET_KEY'],
}).refine((c) => c.NODE_ENV !== 'production' || c.RECEIPT_TOKEN_KEY !== DEV_RECEIPT_TOKEN_KEY, {
  message: 'set a RECEIPT_TOKEN_KEY of your own in production (32 random bytes, base64)',
  path: ['RECEIPT_TOKEN_KEY'],
}).refine((c) => c.NODE_ENV !== 'production' || !c.WHITELIST_ENABLED, {
  message: 'the test whitelist is for non-production modes; production sends to every receiver',
  path: ['WHITELIST_ENABLED'],
}).refine((c) => Buffer.from(c.RECEIPT_TOKEN_KEY, 'base64').length >= 32, {
  message: 'must be at least 32 bytes, base64-encoded',
  path: ['RECEIPT_TOKEN_KEY'],
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
