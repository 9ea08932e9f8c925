/**
 * How adapters reach vendors: the guard, the agents built on it (HTTP calls,
 * the Tencent SDK), and the SMTP socket hook. Built once per process from
 * VENDOR_URLS_ALLOW_PRIVATE and handed to the adapters (vendors/registry.ts).
 */
import { createGuardedAgents, type GuardedAgents } from './guarded-agents';
import { createOutboundGuard, OutboundRefusedError, type OutboundGuard, type OutboundPolicy } from './outbound-guard';
import { guardedSmtpSocket, type SmtpSocketFactory } from './smtp-socket';
import { VendorError } from '../vendor-error';

export interface VendorOutbound {
  guard: OutboundGuard;
  agents: GuardedAgents;
  smtpSocket: SmtpSocketFactory;
  /**
   * Checks a URL's host before a client that does its own connecting (an SDK)
   * is called, so a refused destination is classified as such; a refusal is a
   * VENDOR_REJECTED OUTBOUND_REFUSED VendorError.
   */
  checkDestination(url: string): Promise<void>;
  /** Lets go of pooled connections; the process is stopping. */
  close(): void;
}

export function createVendorOutbound(policy: OutboundPolicy): VendorOutbound {
  const guard = createOutboundGuard(policy);
  const agents = createGuardedAgents(guard);
  return {
    guard,
    agents,
    smtpSocket: guardedSmtpSocket(guard),
    async checkDestination(url) {
      try {
        await guard.checkedAddress(new URL(url).hostname);
      } catch (error) {
        if (error instanceof OutboundRefusedError) throw refusedDestination(error);
        // A name that does not resolve now is left to the client, which reports it as a connection failure.
      }
    },
    close: () => agents.destroy(),
  };
}

/** A destination the outbound guard refused: the account's config is at fault, so the next account is tried. */
export function refusedDestination(error: OutboundRefusedError): VendorError {
  return new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', error.code, error.message);
}
