/**
 * Destinations Herald calls that come from data (vendor account config:
 * endpoints, robot base URLs, HTTP-gateway request and pull URLs, the SMTP
 * host). Only http and https URLs are ever called. In production an account
 * may not point at this machine or an internal network, checked when the
 * account is saved (here: a 400 naming the field) and again at every
 * connection (outbound/outbound-guard.ts, which also pins the address);
 * development and tests run their fake vendors on 127.0.0.1.
 */
import { z } from 'zod';
import { cidrsOf, type Config } from '../config';
import { OutboundRefusedError, type OutboundGuard, type OutboundPolicy } from './outbound/outbound-guard';

/** An http or https URL; any other scheme (file:, ftp:, gopher:, data:) is refused by name. */
export const outboundUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** A host Herald connects to, at the config field that names it. */
export interface Destination {
  field: string;
  host: string;
  /** Where exactly it connects: scheme, host and port of a URL; host and port of the SMTP server. */
  origin: string;
}

/**
 * Every destination in an account config, by field path (`config.request.url`):
 * http(s) URLs anywhere, and a bare `host` setting (with its sibling `port`: the SMTP server).
 */
export function destinationsIn(value: unknown, path: string): Destination[] {
  if (typeof value === 'string') {
    if (!URL.canParse(value)) return [];
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? [{ field: path, host: url.hostname, origin: url.origin }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => destinationsIn(item, `${path}.${i}`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const port = typeof record.port === 'number' || typeof record.port === 'string' ? record.port : '';
  const server = typeof record.host === 'string' ? [{ field: `${path}.host`, host: record.host, origin: `${record.host}:${port}` }] : [];
  return [...server, ...Object.entries(record).filter(([name]) => name !== 'host').flatMap(([name, item]) => destinationsIn(item, `${path}.${name}`))];
}

/** Longest a name is looked up for when an account is saved; a name that does not resolve then is checked at connect time. */
const SAVE_LOOKUP_MS = 3_000;

/**
 * Why each destination of a config is refused, by field: an internal address
 * however it is written, a localhost name, or a name that resolves to an
 * internal address now. A name that does not resolve is not refused here
 * (DNS may be down); the connection checks it again.
 */
export async function refusedDestinations(config: Record<string, unknown>, guard: OutboundGuard): Promise<Array<{ field: string; reason: string }>> {
  const checks = destinationsIn(config, 'config').map(async ({ field, host }) => {
    try {
      await Promise.race([guard.checkedAddress(host), new Promise((resolve) => setTimeout(resolve, SAVE_LOOKUP_MS).unref())]);
      return null;
    } catch (error) {
      if (!(error instanceof OutboundRefusedError)) return null;
      return { field, reason: `${error.reason}: this deployment refuses loopback, private, link-local and other internal destinations (VENDOR_URLS_ALLOW_PRIVATE)` };
    }
  });
  return (await Promise.all(checks)).filter((problem) => problem !== null);
}

/** Whether accounts may point at private hosts: VENDOR_URLS_ALLOW_PRIVATE, else everywhere but production. */
export function privateUrlsAllowed(config: Pick<Config, 'NODE_ENV' | 'VENDOR_URLS_ALLOW_PRIVATE'>): boolean {
  return config.VENDOR_URLS_ALLOW_PRIVATE === undefined ? config.NODE_ENV !== 'production' : config.VENDOR_URLS_ALLOW_PRIVATE === 'true';
}

/** The outbound guard's policy from the settings. */
export function outboundPolicy(config: Pick<Config, 'NODE_ENV' | 'VENDOR_URLS_ALLOW_PRIVATE' | 'VENDOR_ALLOWED_NETWORKS'>): OutboundPolicy {
  return { allowPrivate: privateUrlsAllowed(config), allowNetworks: cidrsOf(config.VENDOR_ALLOWED_NETWORKS) };
}
