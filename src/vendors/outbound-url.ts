/**
 * URLs Herald calls that come from data (vendor account config: endpoints,
 * robot base URLs, HTTP-gateway request and pull URLs). Only http and https
 * are ever called. In production an account may not point at this machine or
 * a private network (an SSRF hole once hit the reference platform this way);
 * development and tests run their fake vendors on 127.0.0.1.
 *
 * The check reads the URL's host as written (IP literals and localhost); it
 * does not resolve names, so a public name that resolves to a private address
 * is not caught here (that needs egress rules in the network).
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { Config } from '../config';

/** An http or https URL; any other scheme (file:, ftp:, gopher:, data:) is refused by name. */
export const outboundUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16],
] as const) PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');

/** Whether `hostname` (as in a URL, IPv6 in brackets) names this machine or a private or link-local network. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const mappedV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  if (mappedV4) return PRIVATE_NETWORKS.check(mappedV4, 'ipv4');
  const version = isIP(host);
  if (version === 4) return PRIVATE_NETWORKS.check(host, 'ipv4');
  if (version === 6) return PRIVATE_NETWORKS.check(host, 'ipv6');
  return false;
}

/** The fields (`config.a.b`) of an account config that hold an http(s) URL to a private host. */
export function privateUrlFields(value: unknown, path: string): string[] {
  if (typeof value === 'string') {
    if (!URL.canParse(value)) return [];
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isPrivateHost(url.hostname) ? [path] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => privateUrlFields(item, `${path}.${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => privateUrlFields(item, `${path}.${key}`));
  return [];
}

/** Whether accounts may point at private hosts: VENDOR_URLS_ALLOW_PRIVATE, else everywhere but production. */
export function privateUrlsAllowed(config: Pick<Config, 'NODE_ENV' | 'VENDOR_URLS_ALLOW_PRIVATE'>): boolean {
  return config.VENDOR_URLS_ALLOW_PRIVATE === undefined ? config.NODE_ENV !== 'production' : config.VENDOR_URLS_ALLOW_PRIVATE === 'true';
}
