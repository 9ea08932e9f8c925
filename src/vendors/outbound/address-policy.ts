/**
 * Which addresses Herald may connect to when it calls a vendor: public
 * unicast only. Classified by ipaddr.js (its special-purpose ranges follow
 * the IANA registries), never by hand-written ranges. Every spelling of an
 * address is reduced first: IPv4 in decimal, octal, hex or short form
 * (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`), IPv4-mapped and
 * IPv4-compatible IPv6 (`::ffff:127.0.0.1`, `::127.0.0.1`). Forms that embed
 * an IPv4 address another way (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`,
 * Teredo, SIIT) are refused outright: a vendor API is never reached that way.
 */
import ipaddr from 'ipaddr.js';

/** Global unicast IPv6 (2000::/3): the only IPv6 block vendors live in. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** ipaddr.js range names, as the refusal says them. */
const RANGE_WORDS: Readonly<Record<string, string>> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  carrierGradeNat: 'carrier-grade NAT',
  rfc6052: 'NAT64 (embeds an IPv4 address)',
  rfc6145: 'SIIT (embeds an IPv4 address)',
  '6to4': '6to4 (embeds an IPv4 address)',
  teredo: 'Teredo (embeds an IPv4 address)',
  deprecatedSiteLocal: 'site-local',
};

/** Strips the brackets of an IPv6 literal in a URL (`[::1]`) and the trailing dots of a fully qualified name. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '').toLowerCase();
}

/** Whether `host` is written as an IP address in any form ipaddr.js reads (decimal, octal, hex IPv4 included). */
export function isAddressLiteral(host: string): boolean {
  return ipaddr.isValid(bareHost(host));
}

/** An address literal in its usual spelling (`0x7f.1` → `127.0.0.1`, `::ffff:10.0.0.1` → `10.0.0.1`) and family. */
export function canonicalAddress(host: string): { address: string; family: 4 | 6 } {
  const parsed = ipaddr.process(bareHost(host));
  return { address: parsed.toString(), family: parsed.kind() === 'ipv4' ? 4 : 6 };
}

/**
 * Why an address may not be connected to ("127.0.0.1 is loopback"), or null
 * when it is public unicast. `address` is an IP literal in any spelling.
 */
export function refusedAddressReason(address: string): string | null {
  const bare = bareHost(address);
  if (!ipaddr.isValid(bare)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(bare);
  const range = parsed.range();
  const canonical = parsed.toString();
  if (range !== 'unicast') return `${canonical} is ${RANGE_WORDS[range] ?? `reserved (${range})`}`;
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return `${canonical} is outside global unicast (2000::/3)`;
  return null;
}

/** `localhost` and any `*.localhost` name (RFC 6761), with or without a trailing dot: always this machine. */
export function isLocalhostName(host: string): boolean {
  const bare = bareHost(host);
  return bare === 'localhost' || bare.endsWith('.localhost');
}

/** CIDRs (`10.8.0.0/16`) as address matchers; a bad entry throws, naming it. */
export function networkMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const networks = cidrs.map((cidr) => {
    if (!ipaddr.isValidCIDR(cidr)) throw new Error(`${cidr} is not a CIDR (e.g. 10.8.0.0/16)`);
    return ipaddr.parseCIDR(cidr);
  });
  return (address) => {
    const parsed = ipaddr.process(bareHost(address));
    return networks.some((network) => parsed.kind() === network[0].kind() && parsed.match(network));
  };
}
