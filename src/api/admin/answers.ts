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
  fallbackTemplateId: nullableText.meta({ description: "a template of the team on another channel, sent to the receiver's alternate when a send ends UNDELIVERED, FAILED or EXPIRED" }),
  fallbackAfterSeconds: nullableCount.meta({ description: 'also start the fallback when a send is not DELIVERED this long after it went to the vendors' }),
  reroutesMax: nullableCount.meta({ description: 're-routes of a send after a failed receipt another vendor may fix (ROUTE_FAILED); null: REROUTE_MAX_DEFAULT' }),
  bypassTeamSuppression: z.boolean().meta({ description: 'VERIFICATION only: its sends pass the team suppression list (never the global one)' }),
  ambiguityPolicy: z.string().meta({ description: 'a vendor call whose answer never came (AMBIGUOUS): VERIFY asks the vendor before failing over (one message), FAST fails over at once (the receiver may get two)' }),
  verifySeconds: nullableCount.meta({ description: 'VERIFY: how long to ask the vendor before failing over; null: DEFAULT_VERIFY_SECONDS' }),
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
  pinnedWeight: nullableCount.meta({ description: 'a weight pinned by hand, never moved by the delivery-rate rules; null: automatic (docs/routing.md)' }),
  enabled: z.boolean(),
  createdAt: time,
  updatedAt: time,
  receiptUrl: z.string().meta({ description: 'where the vendor pushes delivery reports for this account (carries its token)' }),
});

export const accountListAnswerSchema = z.object({ accounts: z.array(accountViewSchema) });

/** A route rule with its accounts by name. */
export const routeRuleViewSchema = z.object({
  id: z.uuid(),
  channel: z.string(),
  prefix: nullableText.meta({ description: 'null: every receiver of the channel' }),
  messageType: nullableText.meta({ description: 'null: every message type' }),
  description: z.string().meta({ description: 'the rule in words: `SMS to +86, any message type`' }),
  accounts: z.array(z.object({ id: z.uuid(), name: z.string(), provider: z.string(), enabled: z.boolean() })),
  createdAt: time,
  updatedAt: time,
});

export const routeRuleListAnswerSchema = z.object({
  rules: z.array(routeRuleViewSchema).meta({ description: 'by channel, then longest prefix first: the order they are matched in' }),
});

/** The delivery rate, latency and effective weight of one account, live (docs/routing.md). */
export const accountRoutingHealthSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  channel: z.string(),
  provider: z.string(),
  enabled: z.boolean(),
  weight: z.number().int().meta({ description: 'as configured' }),
  pinnedWeight: nullableCount,
  priority: z.number().int(),
  effectiveWeight: z.number().meta({ description: "the weight the route's first choice gives it now: configured × factor, or the pinned weight" }),
  factor: z.number().meta({ description: 'the share of its configured weight the delivery-rate rules give it (1: full; the floor at least)' }),
  state: z.enum(['NORMAL', 'DEGRADED']).meta({ description: 'DEGRADED: weight moved away from it' }),
  since: time.nullable().meta({ description: 'when it entered this state' }),
  reason: z.string().meta({ description: 'why the effective weight is what it is, with the figures' }),
  circuit: z.enum(['OPEN', 'CLOSED']).nullable().meta({ description: 'OPEN: tried last whatever its weight; null: Redis cannot be read' }),
  window: z.object({
    seconds: z.number().int(),
    receipts: z.number().int(),
    deliveryRate: z.number().nullable(),
    calls: z.number().int(),
    latencyMs: nullableCount.meta({ description: 'mean vendor call duration' }),
  }),
  peers: z.array(z.object({
    id: z.uuid(), name: z.string(), effectiveWeight: z.number(), state: z.string(), deliveryRate: z.number().nullable(), receipts: z.number().int(), latencyMs: nullableCount,
  })).meta({ description: "the other enabled accounts of its channel: what it is compared with" }),
  rules: z.object({
    minReceipts: z.number().int(), floor: z.number(), degradeGap: z.number(), recoverGap: z.number(), slowFactor: z.number(),
  }).meta({ description: 'the settings the verdict was reached with (ROUTE_HEALTH_*)' }),
});

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
