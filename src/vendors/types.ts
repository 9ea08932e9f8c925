import type { z } from 'zod';
import type { Channel, Reason, ReceiptStatus } from '../shared/states';
import type { VendorError } from './vendor-error';

/** A vendor account as adapters see it: config plus decrypted secrets. */
export interface VendorAccount {
  id: string;
  name: string;
  provider: string;
  channel: Channel;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface OutgoingMessage {
  sendId: string;
  /**
   * Herald's reference for the vendor (client reference, OutId, SessionContext, Message-ID, a robot's
   * message id): the send id on a send's first run, `<sendId>.<n>` on its n-th (a reset or retry sends
   * again, so it must not look like a duplicate); the same on every retry within one run.
   */
  reference: string;
  receiver: string;
  content: string;
  subject: string | null;
  /** The template id registered at this vendor, when the vendor needs one. */
  vendorTemplateId: string | null;
  variables: Record<string, string>;
}

export interface VendorAccepted {
  vendorMessageId: string;
  vendorCode: string;
  vendorText: string;
  /**
   * Set by providers whose acceptance is the last word there will ever be
   * (chat robots posting into the group, SMTP without DSN): stored as the
   * send's receipt with the acceptance, so the send ends at once instead of
   * waiting out the receipt window.
   */
  finalReceipt?: VendorReceipt;
}

/**
 * A message a vendor accepted, as a pull API needs it: some vendors look
 * receipts up by receiver and send date, not by their message id alone.
 */
export interface SentMessage {
  vendorMessageId: string;
  receiver: string;
  sentAt: Date;
}

export interface VendorReceipt {
  vendorMessageId: string;
  /**
   * Herald's reference (OutgoingMessage.reference) when the vendor's receipt carries it (the sandbox's
   * clientRef, Aliyun's out_id, Tencent's SessionContext in a pull): a receipt for a call whose answer
   * never came (AMBIGUOUS) is matched by it.
   */
  reference?: string | null;
  receiver: string | null;
  status: ReceiptStatus;
  reason: Reason | null;
  vendorCode: string | null;
  vendorText: string | null;
  deliveredAt: Date | null;
}

/** A message Herald sent with this reference and got no answer for (AMBIGUOUS), as a status query needs it. */
export interface SentReference {
  reference: string;
  receiver: string;
  /** When the call left (some vendors look messages up by receiver and day). */
  sentAt: Date;
}

/**
 * What the vendor says about a message sent with Herald's reference: it has it (with its message id and
 * a receipt when there is one), it has no such message (NONE: the vendor's word that it never took it),
 * or it shows nothing yet (NOT_YET: the vendor's query lists only what it has reported on, so absence
 * proves nothing).
 */
export type ReferenceLookup =
  | { found: 'ACCEPTED'; accepted: VendorAccepted; receipt: VendorReceipt | null }
  | { found: 'NONE' }
  | { found: 'NOT_YET' };

/** A receipt push as it arrived, for a signature check. */
export interface PushedRequest {
  rawBody: Buffer;
  header(name: string): string | undefined;
  /** The account's receipt URL as given to the vendor (PUBLIC_BASE_URL): what a vendor that signs the URL (Twilio) signed. */
  url: string;
}

/** One receiver's outcome inside a batch call: accepted, or refused for this receiver alone. */
export type BatchOutcome = { accepted: VendorAccepted } | { error: VendorError };

/**
 * Sending one message to many receivers in one vendor call. The messages of
 * one call differ only in sendId, reference and receiver (same content, template,
 * variables and subject). Resolves with one outcome per message, in order;
 * throws a VendorError when the call as a whole failed (each message then
 * failed with that error).
 */
export interface VendorBatchSend {
  /** Most receivers the vendor takes in one call. */
  readonly maxSize: number;
  send(account: VendorAccount, messages: OutgoingMessage[]): Promise<BatchOutcome[]>;
}

/**
 * One provider. `send` resolves with the vendor's message id or throws a
 * VendorError that already carries its class and normalised reason.
 */
export interface VendorAdapter {
  readonly provider: string;
  readonly channel: Channel;
  /** The account config this provider needs (endpoint, app id, ...); checked when an account is saved. */
  readonly configSchema: z.ZodType<Record<string, unknown>>;
  /** The credentials it needs: stored encrypted, never returned by the API or logged. */
  readonly secretsSchema: z.ZodType<Record<string, string>>;
  send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted>;
  /** One call for many receivers, where the vendor has it; absent: one `send` per receiver. */
  readonly batch?: VendorBatchSend;
  /**
   * Ask the vendor whether it took the message sent with this reference (its status query by Herald's
   * reference), after a call whose answer never came. Absent: the vendor cannot be asked, so an
   * ambiguous call there is retried and failed over like a retryable one (docs/guarantees.md).
   */
  findByReference?(account: VendorAccount, sent: SentReference): Promise<ReferenceLookup>;
  /** Ask the vendor's pull API for the receipts of these messages; absent when the vendor only pushes. */
  pullReceipts?(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]>;
  /** Read a receipt push (`POST /v1/receipts/<provider>/<account token>`) to this account; throws on a malformed body. */
  parsePushedReceipts?(body: unknown, account: VendorAccount): VendorReceipt[];
  /** Receivers a push says opted out (an inbound STOP to the account's number); absent when the vendor reports none. */
  parsePushedOptOuts?(body: unknown): string[];
  /** Why a push to this account is not authentic (its signature), or null; absent when the provider signs nothing. */
  verifyPush?(account: VendorAccount, push: PushedRequest): string | null;
  /** The JSON body the vendor expects in answer to an accepted push (it retries the push otherwise). */
  readonly pushAnswer?: unknown;
  /** Lets go of what the adapter keeps open between sends (pooled connections) once their sends are done; the process is stopping. */
  close?(): void;
}

export type VendorRegistry = ReadonlyMap<string, VendorAdapter>;
