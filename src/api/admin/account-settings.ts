import type { z } from 'zod';
import { destinationsIn, refusedDestinations } from '../../vendors/outbound-url';
import type { OutboundGuard } from '../../vendors/outbound/outbound-guard';
import type { VendorAdapter, VendorRegistry } from '../../vendors/types';
import { invalidRequest, zodProblems, type FieldProblem } from '../validate';

/** The adapter for `provider`, or a 400 naming the field and the providers Herald knows. */
export function adapterFor(vendors: VendorRegistry, provider: string): VendorAdapter {
  const adapter = vendors.get(provider);
  if (!adapter) throw invalidRequest([{ field: 'provider', reason: `unknown provider "${provider}"; known: ${[...vendors.keys()].join(', ')}` }]);
  return adapter;
}

/**
 * Checks an account's config and secrets with the provider's own schemas, so
 * a bad account is refused when saved, not at its first send. Problems name
 * `config.<field>` / `secrets.<name>` and never carry a value. Names the
 * provider does not know are refused too (a typo would otherwise vanish).
 * Every destination in the config (URLs, the SMTP host) passes the outbound
 * guard: an internal address, or a name resolving to one, is refused unless
 * the guard allows private destinations (VENDOR_URLS_ALLOW_PRIVATE).
 */
export async function checkAccountSettings(
  adapter: VendorAdapter,
  given: { config?: Record<string, unknown>; secrets?: Record<string, string> },
  guard: OutboundGuard,
): Promise<{ config?: Record<string, unknown>; secrets?: Record<string, string> }> {
  const problems: FieldProblem[] = [];
  const config = given.config === undefined ? undefined : parseSection(adapter.configSchema, given.config, 'config', adapter.provider, problems);
  if (config) problems.push(...(await refusedDestinations(config, guard)));
  const secrets = given.secrets === undefined ? undefined : parseSection(adapter.secretsSchema, given.secrets, 'secrets', adapter.provider, problems);
  if (problems.length > 0) throw invalidRequest(problems);
  return { ...(config ? { config } : {}), ...(secrets ? { secrets } : {}) };
}

/**
 * A change of where an account sends (an endpoint, base URL, gateway URL or
 * SMTP host) must come with the secrets again: the stored credentials are
 * never sent to a destination they were not given for. A 400 naming
 * `secrets` and the changed fields otherwise.
 */
export function requireSecretsForNewDestination(
  stored: Record<string, unknown>,
  changed: Record<string, unknown> | undefined,
  secretsGiven: boolean,
): void {
  if (!changed || secretsGiven) return;
  const before = new Map(destinationsIn(stored, 'config').map(({ field, origin }) => [field, origin]));
  const after = new Map(destinationsIn(changed, 'config').map(({ field, origin }) => [field, origin]));
  const moved = [...new Set([...before.keys(), ...after.keys()])].filter((field) => before.get(field) !== after.get(field));
  if (moved.length === 0) return;
  throw invalidRequest([{ field: 'secrets', reason: `${moved.join(', ')} changes where the account sends: give the secrets again with it` }]);
}

function parseSection<T extends Record<string, unknown>>(
  schema: z.ZodType<T>,
  value: Record<string, unknown>,
  section: 'config' | 'secrets',
  provider: string,
  problems: FieldProblem[],
): T | undefined {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, [section]));
    return undefined;
  }
  const unknown = Object.keys(value).filter((name) => !(name in parsed.data));
  problems.push(...unknown.map((name) => ({ field: `${section}.${name}`, reason: `provider ${provider} has no ${section === 'config' ? 'setting' : 'secret'} "${name}"` })));
  return unknown.length > 0 ? undefined : parsed.data;
}
