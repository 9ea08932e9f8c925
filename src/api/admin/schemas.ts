import { IANAZone } from 'luxon';
import { z } from 'zod';
import { AMBIGUITY_POLICIES, CHANNELS, MESSAGE_TYPES, SHIELD_POLICIES } from '../../shared/states';
import { TEMPLATE_STATUSES } from '../../shared/template-status';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '../../audit/audit-log';
import { SCOPES } from '../scopes';
import { NUL_MESSAGE, noNul } from '../schemas';

/** Request bodies of the management API (`/v1/admin/...`). Checks that need the vendor registry live in template-rules.ts and account-settings.ts. */

const text = (max: number) => z.string().min(1).max(max).refine(noNul, NUL_MESSAGE);

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:mm, 00:00 to 23:59');
const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)');

/** The template settings an admin may change after creation; `null` clears an override so the config default applies. */
const templateSettings = {
  name: text(200),
  messageType: z.enum(MESSAGE_TYPES),
  subject: text(500).nullable(),
  content: text(10_000),
  /** provider → the template id registered at that vendor */
  vendorTemplateIds: z.record(text(50), text(200)),
  shieldPolicy: z.enum(SHIELD_POLICIES),
  quietStart: clock.nullable(),
  quietEnd: clock.nullable(),
  releaseAt: clock.nullable(),
  timeZone: timeZone.nullable(),
  dedupContentSeconds: z.number().int().min(0).max(7 * 24 * 3600).nullable(),
  dedupContentMax: z.number().int().min(1).max(1000).nullable(),
  dailyCapMax: z.number().int().min(1).max(100_000).nullable(),
  /** Re-routes of a send after a failed receipt another vendor may fix; null: REROUTE_MAX_DEFAULT, 0: never. */
  reroutesMax: z.number().int().min(0).max(5).nullable(),
  /** A template of the team on another channel, sent to the receiver's alternate when a send ends UNDELIVERED, FAILED or EXPIRED; null: none. */
  fallbackTemplateId: z.uuid().nullable(),
  /** Also start the fallback when a send is not DELIVERED this long after it went to the vendors; null: only on those final states. */
  fallbackAfterSeconds: z.number().int().min(10).max(7 * 24 * 3600).nullable(),
  /** VERIFICATION only: sends pass the team's own suppression list (never the global one). */
  bypassTeamSuppression: z.boolean(),
  /** A vendor call whose answer never came: VERIFY asks the vendor before failing over; FAST fails over at once (docs/guarantees.md). */
  ambiguityPolicy: z.enum(AMBIGUITY_POLICIES),
  /** VERIFY: how long to ask the vendor; null: DEFAULT_VERIFY_SECONDS. */
  verifySeconds: z.number().int().min(1).max(86_400).nullable(),
};

export const createTemplateSchema = z
  .object({
    code: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'lower-case letters, digits, _ . - (at most 100), starting with a letter or digit'),
    channel: z.enum(CHANNELS),
    ...templateSettings,
    subject: templateSettings.subject.optional(),
    vendorTemplateIds: templateSettings.vendorTemplateIds.default({}),
    shieldPolicy: templateSettings.shieldPolicy.default('NONE'),
    quietStart: templateSettings.quietStart.optional(),
    quietEnd: templateSettings.quietEnd.optional(),
    releaseAt: templateSettings.releaseAt.optional(),
    timeZone: templateSettings.timeZone.optional(),
    dedupContentSeconds: templateSettings.dedupContentSeconds.optional(),
    dedupContentMax: templateSettings.dedupContentMax.optional(),
    dailyCapMax: templateSettings.dailyCapMax.optional(),
    reroutesMax: templateSettings.reroutesMax.optional(),
    fallbackTemplateId: templateSettings.fallbackTemplateId.optional(),
    fallbackAfterSeconds: templateSettings.fallbackAfterSeconds.optional(),
    bypassTeamSuppression: templateSettings.bypassTeamSuppression.default(false),
    ambiguityPolicy: templateSettings.ambiguityPolicy.default('VERIFY'),
    verifySeconds: templateSettings.verifySeconds.optional(),
  })
  .strict();
export type CreateTemplateRequest = z.infer<typeof createTemplateSchema>;

/** Code and channel are fixed: a template for another channel is a new template. */
export const updateTemplateSchema = z
  .object(templateSettings)
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
export type UpdateTemplateRequest = z.infer<typeof updateTemplateSchema>;

export const templateListQuerySchema = z.object({
  status: z.enum(TEMPLATE_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  /** `true`: every team's templates (platform admins: the approval queue with status=PENDING_APPROVAL). */
  allTeams: z.enum(['true', 'false']).optional().transform((flag) => flag === 'true'),
}).strict();

/** Shapes only; the provider's own configSchema and secretsSchema decide what is in them. */
const accountSettings = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (at most 100), starting with a letter or digit'),
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.string().max(4096).refine(noNul, NUL_MESSAGE)),
  /** 0: never chosen first, only a failover target. */
  weight: z.number().int().min(0).max(10_000),
  /** Lower is tried earlier in failover. */
  priority: z.number().int().min(0).max(1_000_000),
  rateLimitPerSecond: z.number().int().min(1).max(1_000_000).nullable(),
  /** A weight pinned by hand: used as it is, never moved by the delivery-rate rules; `null` unpins (automatic again). */
  pinnedWeight: z.number().int().min(0).max(10_000).nullable(),
};

export const createAccountSchema = z
  .object({
    ...accountSettings,
    provider: text(50),
    config: accountSettings.config.default({}),
    secrets: accountSettings.secrets.default({}),
    weight: accountSettings.weight.default(1),
    priority: accountSettings.priority.default(100),
    rateLimitPerSecond: accountSettings.rateLimitPerSecond.optional(),
    pinnedWeight: accountSettings.pinnedWeight.optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateAccountRequest = z.infer<typeof createAccountSchema>;

/** `config` and `secrets`, when given, replace the stored ones whole (secrets cannot be read back to merge). */
export const updateAccountSchema = z
  .object(accountSettings)
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
export type UpdateAccountRequest = z.infer<typeof updateAccountSchema>;

/**
 * A route rule: sends of `channel` (and `messageType`) to receivers starting with `prefix` use only
 * `accounts`. The checks that need the stored accounts and rules live in src/api/admin/route-rules.ts.
 */
const routeRuleFields = {
  /** `+` and digits: a country calling code (`+86`) or a longer number prefix (`+8613`); SMS only. Absent or null: every receiver. */
  prefix: z.string().max(16).nullable(),
  /** Absent or null: every message type. */
  messageType: z.enum(MESSAGE_TYPES).nullable(),
  /** The accounts (ids) sends matching the rule may use; each account's own weight and priority order them. */
  accounts: z.array(z.uuid()).min(1).max(50).refine((ids) => new Set(ids).size === ids.length, 'lists an account twice'),
};

export const createRouteRuleSchema = z
  .object({
    channel: z.enum(CHANNELS),
    ...routeRuleFields,
    prefix: routeRuleFields.prefix.default(null),
    messageType: routeRuleFields.messageType.default(null),
  })
  .strict();

/** The channel is fixed: a rule for another channel is a new rule. */
export const updateRouteRuleSchema = z
  .object(routeRuleFields)
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

export const issueApiKeySchema = z
  .object({
    name: text(100),
    scopes: z.array(z.enum(SCOPES)).min(1).transform((scopes) => [...new Set(scopes)]),
  })
  .strict();

/** `GET /v1/admin/audit-log`: newest first, optionally for one target or action, paged with `before`. */
export const auditLogQuerySchema = z.object({
  targetType: z.enum(AUDIT_TARGET_TYPES).optional(),
  targetId: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  /** Entries strictly before this instant (the `at` of the last entry of the previous page). */
  before: z.iso.datetime({ offset: true, error: 'must be an ISO date-time with offset' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();
