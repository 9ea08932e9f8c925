import pino, { type DestinationStream, type Logger } from 'pino';
import { maskReceiver, maskSecret } from './shared/mask';

export type { Logger };

/** Field names whose values identify a person; masked wherever they appear in a log object. */
const RECEIVER_FIELDS = ['receiver', 'receiverRaw', 'receivers', 'receiversRaw', 'receiversNormalized', 'to', 'phone', 'email'];
/** Field names whose values open an account; never logged beyond a short prefix. */
const SECRET_FIELDS = ['apiKey', 'appKey', 'authorization', 'secret', 'secrets', 'appSecret', 'secretKey', 'password', 'token'];

function maskValue(value: unknown, mask: (s: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, mask));
  // An object under a secret's name (e.g. `secrets: {appKey, appSecret}`) is hidden whole.
  return value === null || value === undefined ? value : '****';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}

/** pino `formatters.log`: masks known fields at the top level and one level down. */
export function maskLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (RECEIVER_FIELDS.includes(key)) out[key] = maskValue(value, maskReceiver);
    else if (SECRET_FIELDS.includes(key)) out[key] = maskValue(value, maskSecret);
    else if (Array.isArray(value)) out[key] = value.map((item: unknown) => (isPlainObject(item) ? maskLogObject(item) : item));
    else if (isPlainObject(value)) out[key] = maskLogObject(value);
    else out[key] = value;
  }
  return out;
}

/** pino-pretty is a development dependency: absent from the production image. */
function prettyPrinterInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export interface LoggerOptions {
  level: string;
  name: string;
  /** Human-readable lines; default: only in development, on a terminal, when pino-pretty is installed. JSON lines otherwise. */
  pretty?: boolean;
  /** NODE_ENV of the process (the config's); pretty printing is for `development` only. */
  nodeEnv?: string;
  /** Where JSON lines go; default standard output. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? (options.nodeEnv === 'development' && Boolean(process.stdout.isTTY) && prettyPrinterInstalled());
  const settings = {
    name: options.name,
    level: options.level,
    formatters: { log: maskLogObject },
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '****' },
  };
  if (pretty) return pino({ ...settings, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
