import type { z } from 'zod';
import { privateUrlFields } from '../../vendors/outbound-url';
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
 * Unless `privateUrls` allows it, a config URL to a loopback or private host is refused.
 */
export function checkAccountSettings(
  adapter: VendorAdapter,
  given: { config?: Record<string, unknown>; secrets?: Record<string, string> },
  privateUrls: 'allowed' | 'refused',
): { config?: Record<string, unknown>; secrets?: Record<string, string> } {
  const problems: FieldProblem[] = [];
  const config = given.config === undefined ? undefined : parseSection(adapter.configSchema, given.config, 'config', adapter.provider, problems);
  if (config && privateUrls === 'refused') {
    problems.push(...privateUrlFields(config, 'config').map((field) => ({
      field, reason: 'points to a loopback or private address, which this deployment refuses (VENDOR_URLS_ALLOW_PRIVATE)',
    })));
  }
  const secrets = given.secrets === undefined ? undefined : parseSection(adapter.secretsSchema, given.secrets, 'secrets', adapter.provider, problems);
  if (problems.length > 0) throw invalidRequest(problems);
  return { ...(config ? { config } : {}), ...(secrets ? { secrets } : {}) };
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
