import { z } from 'zod';
import { SCOPES } from '../scopes';

/**
 * The JSON bodies of the management API (`/v1/admin/...`), for the routes'
 * compile-time check and the OpenAPI document (see src/api/answers.ts).
 */

const nullableText = z.string().nullable();
const nullableCount = z.number().int().nullable();
const time = z.date();

/** A template with the placeholders a send must fill. */
export const templateViewSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  teamId: z.uuid(),
  status: z.string().meta({ description: 'PENDING_APPROVAL, ACTIVE or DISABLED' }),
  channel: z.string(),
  messageType: z.string(),
  subject: nullableText,
  content: z.string(),
  placeholders: z.array(z.string()),
  vendorTemplateIds: z.unknown().meta({ description: 'provider → the template id registered at that vendor' }),
  shieldPolicy: z.string(),
  quietStart: nullableText,
  quietEnd: nullableText,
  releaseAt: nullableText,
  timeZone: nullableText,
  dedupContentSeconds: nullableCount,
  dedupContentMax: nullableCount,
  dailyCapMax: nullableCount,
  bypassTeamSuppression: z.boolean().meta({ description: 'VERIFICATION only: its sends pass the team suppression list (never the global one)' }),
  createdAt: time,
  updatedAt: time,
});

export const templateListAnswerSchema = z.object({ templates: z.array(templateViewSchema) });

/** A vendor account: everything but secret values, and the URL its vendor pushes receipts to. */
export const accountViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  channel: z.string(),
  provider: z.string(),
  config: z.unknown().meta({ description: "the provider's settings (endpoint, sign name, ...)" }),
  secrets: z
    .union([z.object({ names: z.array(z.string()) }), z.object({ unreadable: z.string() })])
    .meta({ description: 'which secrets are set, by name only; `unreadable` when the current SECRET_KEY cannot open them' }),
  weight: z.number().int(),
  priority: z.number().int(),
  rateLimitPerSecond: nullableCount,
  enabled: z.boolean(),
  createdAt: time,
  updatedAt: time,
  receiptUrl: z.string().meta({ description: 'where the vendor pushes delivery reports for this account (carries its token)' }),
});

export const accountListAnswerSchema = z.object({ accounts: z.array(accountViewSchema) });

/** An API key as listed: its prefix and name, never the key or its hash. */
export const apiKeyViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()).meta({ description: SCOPES.join(', ') }),
  createdAt: time,
  lastUsedAt: time.nullable(),
  revokedAt: time.nullable(),
});

export const apiKeyListAnswerSchema = z.object({ apiKeys: z.array(apiKeyViewSchema) });

/** A new key: the only answer that carries the key itself. */
export const issuedApiKeyAnswerSchema = apiKeyViewSchema.extend({
  key: z.string().meta({ description: 'the API key; shown once, Herald keeps only its hash' }),
  note: z.string(),
});

/** One audit log entry: who (API key and its team), what, on what, and the fields that changed (secrets by name only). */
export const auditEntrySchema = z.object({
  id: z.uuid(),
  at: time,
  apiKeyId: z.uuid(),
  apiKeyName: nullableText,
  teamId: z.uuid(),
  action: z.string(),
  targetType: z.string().meta({ description: 'account, template or api_key' }),
  targetId: z.string(),
  targetTeamId: z.uuid().nullable(),
  changes: z.record(z.string(), z.unknown()),
});

export const auditLogAnswerSchema = z.object({ entries: z.array(auditEntrySchema) });
