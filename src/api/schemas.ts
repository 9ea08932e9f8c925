import { z } from 'zod';
import { pushBodySchema as aliyunPushBody } from '../vendors/aliyun-sms';
import { pushBodySchema as sandboxPushBody } from '../vendors/sandbox';
import { pushBodySchema as tencentPushBody } from '../vendors/tencent-sms';
import { twilioPushBodySchema } from '../vendors/twilio/adapter';
import { isTimeZone, MONTH_PATTERN } from '../billing/billing-month';
import { CHANNELS, SEND_STATUSES } from '../shared/states';
import { SUPPRESSION_REASONS } from '../shared/suppression';
import { MAX_VARIABLES, noNul, NUL_MESSAGE, RESERVED_VARIABLE_NAMES, variableName, variableText } from '../shared/variable-rules';

export { noNul, NUL_MESSAGE } from '../shared/variable-rules';

const variableValue = z.union([variableText, z.number().finite()], { error: 'must be a string or a finite number' });

const variables = z.preprocess(
  (raw, ctx) => {
    if (raw === null || typeof raw !== 'object') return raw;
    for (const name of RESERVED_VARIABLE_NAMES) {
      if (Object.hasOwn(raw, name)) ctx.issues.push({ code: 'custom', message: 'is a reserved name (__proto__, constructor, prototype)', input: raw, path: [name] });
    }
    return raw;
  },
  z.record(variableName, variableValue).refine((record) => Object.keys(record).length <= MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`),
);

const alternate = z.string().min(1).max(320).refine(noNul, NUL_MESSAGE);

/** `POST /v1/messages`. Receivers arrive as text, exactly as the caller wrote them. */
export const messageRequestSchema = z
  .object({
    templateId: z.uuid().optional(),
    templateCode: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE).optional(),
    receivers: z.array(z.string().max(320).refine(noNul, NUL_MESSAGE)).min(1),
    variables: variables.default({}),
    /**
     * Each receiver's alternates, keyed by the receiver exactly as in `receivers`: where the template's
     * fallback (a template on another channel) goes, e.g. `{"+86 138 0013 8000": {"EMAIL": "li@example.com"}}`.
     */
    alternates: z.record(
      z.string().max(320).refine(noNul, NUL_MESSAGE),
      z.object({ SMS: alternate.optional(), EMAIL: alternate.optional(), CHAT: alternate.optional() }).strict(),
    ).optional(),
    /** Scheduled send: when to start it (ISO date-time with offset); the bounds are checked against the clock in accept-message.ts. */
    sendAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time with offset, e.g. 2026-11-24T10:00:00+08:00' }).optional(),
  })
  .strict()
  .refine((body) => (body.templateId === undefined) !== (body.templateCode === undefined), {
    message: 'give exactly one of templateId or templateCode',
    path: ['templateId'],
  });

export type MessageRequest = z.infer<typeof messageRequestSchema>;

export const idParamSchema = z.object({ id: z.uuid() });

export const idempotencyKeySchema = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** An instant in a query string: ISO date-time with offset, or a date (midnight UTC). */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO date or date-time, e.g. 2026-11-23T08:00:00Z' });

/** `GET /v1/diagnose`: one receiver, in any common format, and an optional window. */
export const diagnoseQuerySchema = z
  .object({
    receiver: z.string().min(1).max(320).refine(noNul, NUL_MESSAGE),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();

/** `GET /v1/templates/search`: a piece of a message as a user received it. */
export const templateSearchQuerySchema = z
  .object({ text: z.string().trim().min(4, 'give at least 4 characters of the message').max(1000).refine(noNul, NUL_MESSAGE) })
  .strict();

/** `POST /v1/receipts/:provider/:accountToken`: which adapter parses the body, and the account's URL token. */
export const receiptPathSchema = z.object({
  provider: z.string().meta({ description: 'the vendor adapter that parses the body: tencent, aliyun, sandbox, ...' }),
  accountToken: z.string().meta({ description: "the account's receipt token, part of the URL an admin reads from GET /v1/admin/accounts/{id} (receiptUrl)" }),
});

/**
 * A pushed delivery report, in the format of the path's provider; its
 * adapter's parsePushedReceipts reads it with the same schema.
 */
export const receiptPushBodySchema = z.union([
  sandboxPushBody.meta({ title: 'sandbox' }),
  tencentPushBody.meta({ title: 'tencent' }),
  aliyunPushBody.meta({ title: 'aliyun' }),
  twilioPushBodySchema.meta({ title: 'twilio', description: 'form-encoded (application/x-www-form-urlencoded) and signed (X-Twilio-Signature): a status callback, or an inbound message (an opt-out)' }),
  z.looseObject({}).meta({ title: 'http-gateway', description: "the JSON object the account's receiptPush.reports describes" }),
]).meta({ description: "the provider's own delivery-report format: the one named by `provider` in the path" });

const month = z.string().regex(MONTH_PATTERN, 'must be a month as YYYY-MM, e.g. 2026-11');
const timeZone = z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai');

/** `GET /v1/reports/billing`: a month, optionally per day, one account, CSV. */
export const billingReportQuerySchema = z
  .object({
    month,
    timeZone: timeZone.optional(),
    account: z.string().min(1).max(200).optional(),
    by: z.enum(['day']).optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

/** `POST /v1/reports/billing/compare`: which month and account the bill in the body is for, and what its counts count. */
export const billCompareQuerySchema = z
  .object({
    month,
    account: z.string().min(1).max(200),
    unit: z.enum(['segments', 'messages']).default('segments'),
    timeZone: timeZone.optional(),
  })
  .strict();

/** A suppression entry as a caller writes it: the receiver in any common format, normalised for its channel. */
const suppressionEntry = {
  channel: z.enum(CHANNELS),
  receiver: z.string().min(1).max(320).refine(noNul, NUL_MESSAGE),
  reason: z.enum(SUPPRESSION_REASONS),
  detail: z.string().max(500).refine(noNul, NUL_MESSAGE).optional(),
};

/** `POST /v1/suppressions`: the caller's team list. */
export const suppressionRequestSchema = z.object(suppressionEntry).strict();
export type SuppressionRequest = z.infer<typeof suppressionRequestSchema>;

/** `POST /v1/admin/suppressions`: `global: true` puts it on everyone's list, else on the admin's team list. */
export const adminSuppressionRequestSchema = z.object({ ...suppressionEntry, global: z.boolean().default(false) }).strict();

/** `GET /v1/suppressions`: newest first, optionally one receiver (any format). */
export const suppressionListQuerySchema = z
  .object({
    receiver: z.string().min(1).max(320).refine(noNul, NUL_MESSAGE).optional(),
    channel: z.enum(CHANNELS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** `POST /v1/audiences`: the audience's name and the channel its receivers are normalised for; the CSV is the body. */
export const audienceUploadQuerySchema = z
  .object({
    name: z.string().trim().min(1).max(200).refine(noNul, NUL_MESSAGE),
    channel: z.enum(CHANNELS),
  })
  .strict();

/** `GET /v1/audiences`: newest first. */
export const audienceListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

/** `GET /v1/audiences/:id/errors`: a page of refused rows after a line (keyset), or all of them as CSV. */
export const audienceErrorsQuerySchema = z
  .object({
    afterLine: z.coerce.number().int().min(0).max(2_147_483_647).default(0).meta({ description: 'the rows after this line: `nextAfterLine` of the previous page' }),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    format: z.enum(['json', 'csv']).optional().meta({ description: 'csv: every refused row (no paging) as `line,reason,raw`; also chosen by `Accept: text/csv`' }),
  })
  .strict();

/** `GET /v1/reports/accounts`: how many hours back, the current one included. */
export const accountHealthQuerySchema = z
  .object({ hours: z.coerce.number().int().min(1).max(72).default(6).meta({ description: 'hours back, the current hour included (UTC hours)' }) })
  .strict();

/** `GET /v1/messages`: the team's messages, newest first, a page at a time. */
export const messageListQuerySchema = z
  .object({
    template: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE).optional().meta({ description: 'only messages of this template code' }),
    before: z.uuid().optional().meta({ description: 'the messages older than this one: `nextBefore` of the previous page' }),
    limit: z.coerce.number().int().min(1).max(200).default(25),
  })
  .strict();

/** `GET /v1/messages/:id/sends`: a message's sends in id order, a page at a time, optionally of one status or receiver. */
export const messageSendsQuerySchema = z
  .object({
    status: z.enum(SEND_STATUSES).optional(),
    receiver: z.string().min(1).max(320).refine(noNul, NUL_MESSAGE).optional().meta({ description: 'one receiver, in any common format' }),
    after: z.uuid().optional().meta({ description: 'the sends after this one: `nextAfter` of the previous page' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
