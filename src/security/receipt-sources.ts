/**
 * Where an account's receipt pushes may come from. Tencent and Aliyun sign
 * nothing they push, so beyond the URL token an account can name the
 * vendor's callback addresses (`receiptSources` in its config, CIDRs or
 * single addresses); a push from anywhere else is refused (403) and not stored.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** `203.0.113.0/24`, `2001:db8::/32`, or one address (a /32 or /128). */
const sourceSchema = z.string().trim().refine((text) => parseSource(text) !== null, 'must be an IP address or a CIDR block (e.g. 203.0.113.0/24)');

/** The `receiptSources` field of an account config that accepts it. */
export const receiptSourcesSchema = z.array(sourceSchema).min(1).max(100).optional();

interface Source {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseSource(text: string): Source | null {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:203.0.113.5` (an IPv4 client on a dual-stack socket) → `203.0.113.5`. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export type SourceCheck = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether a push from `address` may be taken for an account with this config.
 * An account without `receiptSources` takes pushes from anywhere (the URL token is the check).
 */
export function checkReceiptSource(config: unknown, address: string | undefined): SourceCheck {
  const listed = z.object({ receiptSources: receiptSourcesSchema }).safeParse(config);
  // A config saved through the API was checked with the same schema; an unreadable one refuses rather than opens.
  if (!listed.success) return { allowed: false, reason: 'the account\'s receiptSources cannot be read' };
  const sources = listed.data.receiptSources;
  if (!sources) return { allowed: true };
  const from = address === undefined ? '' : plainAddress(address);
  const version = isIP(from);
  if (version === 0) return { allowed: false, reason: 'the request has no usable source address' };
  const allowed = new BlockList();
  for (const source of sources) {
    const parsed = parseSource(source);
    if (parsed) allowed.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return allowed.check(from, version === 4 ? 'ipv4' : 'ipv6')
    ? { allowed: true }
    : { allowed: false, reason: `source ${from} is not in the account's receiptSources` };
}
