/**
 * E-mail over SMTP (nodemailer) through a connection pool per account: one
 * pooled transport per account (at most `maxConnections` connections, each
 * used for `maxMessages` mails before it is replaced), reused across sends,
 * rebuilt when the account's config or credentials change, and closed by
 * `close()` when the process stops. SMTP has no
 * delivery report here (no DSN): the server's 250 after DATA is the last
 * answer we ever get, so it is recorded as the send's final receipt (see
 * README, "E-mail (smtp)"). Header injection is refused before any byte is sent.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { z } from 'zod';
import { maskReceiver } from '../shared/mask';
import { readAccountParts } from './account-config';
import { INVALID_RECEIVER, REJECTED, RETRYABLE, type Classification } from './code-table';
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from './types';
import { VendorError } from './vendor-error';
import { OutboundRefusedError } from './outbound/outbound-guard';
import { refusedDestination, type VendorOutbound } from './outbound/vendor-outbound';

const LINE_BREAK = /[\r\n]/;

export const smtpConfigSchema = z.object({
  host: z.string().min(1).regex(/^[^\s/]+$/, 'must be a bare host name or IP, without spaces or slashes'),
  port: z.number().int().min(1).max(65_535),
  /** Implicit TLS from the first byte (port 465). */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server upgrades with STARTTLS (port 587). */
  requireTLS: z.boolean().default(false),
  /** The From header, `addr@example.com` or `"Name" <addr@example.com>`. */
  from: z.string().min(3).refine((value) => !LINE_BREAK.test(value), 'must not contain a line break').refine((value) => value.includes('@'), 'must contain an e-mail address'),
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  /** Most connections the pool opens to this server at once. */
  maxConnections: z.number().int().min(1).max(50).default(5),
  /** Mails sent over one connection before the pool replaces it. */
  maxMessages: z.number().int().min(1).max(10_000).default(100),
});

type SmtpConfig = z.infer<typeof smtpConfigSchema>;
type SmtpSecrets = z.infer<typeof smtpSecretsSchema>;
type SmtpPool = Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

export const smtpSecretsSchema = z.object({ user: z.string().min(1), pass: z.string().min(1) });

const INBOX_FULL: Classification = { errorClass: 'RECEIVER_INVALID', reason: 'INBOX_FULL' };

/** SMTP reply codes → handling; other 4xx are RETRYABLE, other 5xx VENDOR_REJECTED (classifySmtpReply). */
const SMTP_REPLIES: ReadonlyMap<number, Classification> = new Map([
  [530, REJECTED], // authentication required
  [534, REJECTED], // authentication mechanism too weak
  [535, REJECTED], // authentication credentials invalid
  [550, INVALID_RECEIVER], // mailbox unavailable / no such user
  [551, INVALID_RECEIVER], // user not local
  [553, INVALID_RECEIVER], // mailbox name not allowed
  [552, INBOX_FULL], // exceeded storage allocation
]);

function classifySmtpReply(responseCode: number | undefined, code: string | undefined): Classification {
  if (responseCode === undefined) return code === 'EAUTH' ? REJECTED : RETRYABLE; // no reply: connection, TLS, timeout
  const known = SMTP_REPLIES.get(responseCode);
  if (known) return known;
  return responseCode >= 400 && responseCode < 500 ? RETRYABLE : REJECTED;
}

/** The parts of a nodemailer error we read (it is an Error with these extra fields). */
interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

function smtpError(error: unknown, receiver: string): VendorError {
  if (error instanceof OutboundRefusedError) return refusedDestination(error);
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SmtpFailure;
  const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const { errorClass, reason } = classifySmtpReply(responseCode, code);
  const text = typeof failure.response === 'string' ? failure.response : typeof failure.message === 'string' ? failure.message : String(error);
  // Servers echo the address in their replies; the record keeps it masked.
  const masked = text.split(receiver).join(maskReceiver(receiver)).slice(0, 500);
  return new VendorError(errorClass, reason, responseCode === undefined ? (code ?? 'SMTP_ERROR') : String(responseCode), masked);
}

/** Refuses CR/LF where it would start a new header; the API already refuses it in receivers. */
function refuseHeaderInjection(message: OutgoingMessage): void {
  if (LINE_BREAK.test(message.receiver)) {
    throw new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'HEADER_INJECTION', 'the receiver contains a line break');
  }
  if (message.subject !== null && LINE_BREAK.test(message.subject)) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'HEADER_INJECTION', 'the template subject contains a line break');
  }
}

function domainOf(from: string): string {
  const match = /@([^\s>]+)/.exec(from);
  return match?.[1] ?? 'herald.invalid';
}

async function sendMail(transport: SmtpPool, config: SmtpConfig, message: OutgoingMessage): Promise<VendorAccepted> {
  // One Message-ID per run of a send: a retried call carries the same id, so mailbox providers can drop the duplicate.
  const messageId = `<${message.reference}@${domainOf(config.from)}>`;
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: message.receiver,
      subject: message.subject ?? '',
      text: message.content,
      messageId,
    });
    return {
      vendorMessageId: messageId,
      vendorCode: '250',
      vendorText: info.response,
      finalReceipt: {
        vendorMessageId: messageId,
        receiver: message.receiver,
        status: 'DELIVERED',
        reason: null,
        vendorCode: '250',
        vendorText: `accepted by ${config.host} (SMTP has no later delivery report here): ${info.response}`,
        deliveredAt: new Date(),
      },
    };
  } catch (error) {
    throw smtpError(error, message.receiver);
  }
}

/** One account's pooled transport, with the config it was built from and the sends using it. */
interface PooledTransport {
  fingerprint: string;
  transport: SmtpPool;
  inFlight: number;
  /** Replaced by a transport of a newer config: closed when its last send is done. */
  retired: boolean;
}

function createPooledTransport(outbound: VendorOutbound, config: SmtpConfig, secrets: SmtpSecrets): SmtpPool {
  return createTransport({
    // Every connection is opened by the outbound guard (one lookup, the checked address), never by nodemailer's own resolver.
    getSocket: outbound.smtpSocket,
    pool: true,
    maxConnections: config.maxConnections,
    maxMessages: config.maxMessages,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS,
    auth: { user: secrets.user, pass: secrets.pass },
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/** The SMTP provider, with its own pool of transports (one registry, one pool). */
export function createSmtpAdapter(outbound: VendorOutbound): VendorAdapter {
  const pools = new Map<string, PooledTransport>();

  /** The account's transport for this config; a changed config (the account directory reloads it) retires the old one. */
  function acquire(accountId: string, config: SmtpConfig, secrets: SmtpSecrets): PooledTransport {
    const fingerprint = JSON.stringify([config, secrets]);
    const current = pools.get(accountId);
    if (current?.fingerprint === fingerprint) {
      current.inFlight += 1;
      return current;
    }
    if (current) retire(current);
    const fresh: PooledTransport = { fingerprint, transport: createPooledTransport(outbound, config, secrets), inFlight: 1, retired: false };
    pools.set(accountId, fresh);
    return fresh;
  }

  function retire(pooled: PooledTransport): void {
    pooled.retired = true;
    if (pooled.inFlight === 0) pooled.transport.close();
  }

  function release(pooled: PooledTransport): void {
    pooled.inFlight -= 1;
    if (pooled.retired && pooled.inFlight === 0) pooled.transport.close();
  }

  return {
    provider: 'smtp',
    channel: 'EMAIL',
    configSchema: smtpConfigSchema,
    secretsSchema: smtpSecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const { config, secrets } = readAccountParts(account, smtpConfigSchema, smtpSecretsSchema);
      refuseHeaderInjection(message);
      const pooled = acquire(account.id, config, secrets);
      try {
        return await sendMail(pooled.transport, config, message);
      } finally {
        release(pooled);
      }
    },

    close() {
      for (const pooled of pools.values()) retire(pooled);
      pools.clear();
    },
  };
}

