/**
 * The one check every outbound vendor connection passes (HTTP vendors, the
 * Tencent and Aliyun SDKs, chat robots, the HTTP gateway, SMTP, receipt
 * pulls): resolve the host once, refuse it if any address it resolves to is
 * not public (address-policy.ts), and connect to the address that was checked
 * (the `lookup` handed to the socket answers with it), so a second DNS answer
 * (rebinding) never decides where the connection goes.
 *
 * `allowPrivate` (VENDOR_URLS_ALLOW_PRIVATE; on outside production) lets
 * development and tests reach their fake vendors on 127.0.0.1; the address is
 * still resolved once and pinned.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { bareHost, canonicalAddress, isAddressLiteral, isLocalhostName, networkMatcher, refusedAddressReason } from './address-policy';

/** Resolves a host name to all its addresses (dns.lookup, as sockets do); injectable for tests. */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

export interface OutboundPolicy {
  /** Private, loopback and link-local destinations are allowed (development and tests only). */
  allowPrivate: boolean;
  /**
   * Internal networks (CIDRs) a vendor is reached through on purpose, allowed
   * in production too: a private link to a vendor's endpoint (VENDOR_ALLOWED_NETWORKS).
   */
  allowNetworks?: readonly string[];
  resolve?: Resolve;
}

/** A destination Herald will not connect to; the socket is never opened. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly code = 'OUTBOUND_REFUSED';

  constructor(readonly host: string, readonly reason: string) {
    super(`refused to connect to ${host}: ${reason}`);
  }
}

export interface OutboundGuard {
  readonly allowPrivate: boolean;
  /** The one address to connect to for `host` (a name or an IP literal), checked; throws OutboundRefusedError. */
  checkedAddress(host: string): Promise<LookupAddress>;
  /** For a socket's `lookup` option: the same check, answering with the checked address only. */
  readonly lookup: LookupFunction;
  /** Why an IP literal (any spelling) may not be connected to (sockets skip `lookup` for literals), or null. */
  literalRefusal(host: string): OutboundRefusedError | null;
}

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

export function createOutboundGuard(policy: OutboundPolicy): OutboundGuard {
  const resolve = policy.resolve ?? systemResolve;
  const allowedNetwork = networkMatcher(policy.allowNetworks ?? []);
  /** Why an address (a literal) is refused under this policy, or null. */
  const refusal = (address: string): string | null =>
    policy.allowPrivate || allowedNetwork(address) ? null : refusedAddressReason(address);

  function literalRefusal(host: string): OutboundRefusedError | null {
    if (!isAddressLiteral(host)) return null;
    const reason = refusal(host);
    return reason ? new OutboundRefusedError(host, reason) : null;
  }

  async function checkedAddress(host: string): Promise<LookupAddress> {
    const bare = bareHost(host);
    if (isAddressLiteral(bare)) {
      const refused = literalRefusal(bare);
      if (refused) throw refused;
      return canonicalAddress(bare);
    }
    if (!policy.allowPrivate && isLocalhostName(bare)) throw new OutboundRefusedError(host, 'names this machine');
    const addresses = await resolve(bare);
    const [first] = addresses;
    if (!first) throw new OutboundRefusedError(host, 'resolves to no address');
    // One refused address refuses the name: a name that mixes public and internal answers is an attack, not a vendor.
    const refusals = addresses.map((entry) => refusal(entry.address)).filter((reason) => reason !== null);
    if (refusals.length > 0) throw new OutboundRefusedError(host, `resolves to ${refusals.join(', ')}`);
    return first;
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    checkedAddress(hostname).then(
      (checked) => {
        if (options.all) callback(null, [checked]);
        else callback(null, checked.address, checked.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '', 0),
    );
  };

  return { allowPrivate: policy.allowPrivate, checkedAddress, lookup, literalRefusal };
}
