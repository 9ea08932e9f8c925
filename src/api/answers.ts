import { z } from 'zod';
import type { BillComparison } from '../billing/bill-compare';
import type { BillingReport } from '../billing/billing-report';
import { STEPS, VERDICTS } from '../ops/diagnose-verdict';
import { TRACE_STEPS } from '../ops/trace-event';
import { AUDIENCE_STATUSES, CHANNELS, SEND_STATUSES } from '../shared/states';
import { SUPPRESSION_REASONS, SUPPRESSION_SOURCES } from '../shared/suppression';

/**
 * The JSON bodies the send, receipt, suppression, health and ops routes
 * answer, as zod schemas: the routes check their answers against them at
 * compile time (`satisfies AnswerOf<...>`) and the OpenAPI document is
 * generated from them (src/api/openapi), so neither can drift from the other.
 * Times are `z.date()`: the route holds Dates, the wire carries ISO date-times.
 */

/** What a route's answer must be assignable to. */
export type AnswerOf<S extends z.ZodType> = z.input<S>;

/** Every answer that is not a success (src/api/http-error.ts). */
export const errorAnswerSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable, machine-readable: INVALID_REQUEST, UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, ...' }),
      message: z.string().meta({ description: 'one sentence for a person' }),
      details: z.unknown().optional().meta({ description: 'what was wrong; for INVALID_REQUEST `{ fields: [{ field, reason }] }`' }),
    }),
  });

const nullableText = z.string().nullable();
const time = z.date();

export const healthAnswerSchema = z.object({ status: z.literal('ok') });

const checkResult = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);

export const readinessAnswerSchema = z
  .object({
    status: z.enum(['ready', 'degraded', 'unavailable']),
    checks: z.object({ postgres: checkResult, redis: checkResult, temporal: checkResult }),
  });

const cappedReceiver = z.object({ field: z.string(), index: z.number().int(), receiver: z.string(), reason: z.literal('RECEIVER_BURST_CAP'), message: z.string() });

/** `POST /v1/messages` (202). */
export const acceptedAnswerSchema = z
  .object({
    messageId: z.uuid(),
    template: z.string(),
    accepted: z.number().int(),
    sends: z.array(z.object({ sendId: z.uuid(), receiver: z.string(), status: z.string() })),
    capped: z.array(cappedReceiver).optional().meta({ description: 'receivers refused by the anti-bombing cap; absent on a replay' }),
    replayed: z.boolean().meta({ description: 'true when the Idempotency-Key was seen before: this is the first answer again' }),
  });

/** One send as the send routes show it (src/api/routes/send-view.ts). */
export const sendViewSchema = z
  .object({
    sendId: z.uuid(),
    receiver: z.string(),
    channel: z.string(),
    fallbackOf: nullableText.meta({ description: "a fallback send (the template's fallback on another channel): the send whose failure or lateness started it" }),
    status: z.string().meta({ description: SEND_STATUSES.join(', ') }),
    reason: nullableText,
    reasonDetail: nullableText,
    vendor: nullableText,
    vendorMessageId: nullableText,
    vendorCode: nullableText,
    vendorText: nullableText,
    segments: z.number().int(),
    sendAt: time.nullable().meta({ description: 'when a scheduled send starts (null: at once)' }),
    deferredUntil: time.nullable(),
    dedupSkipped: z.boolean(),
    collidedWithSendId: nullableText,
    createdAt: time,
    sentAt: time.nullable(),
    finishedAt: time.nullable(),
    runNo: z.number().int().meta({ description: 'the run of its workflow the send shows: 1, counted up by each reset or retry' }),
    runId: nullableText.meta({ description: 'that run (Temporal run id); null before its workflow started' }),
    workflowId: z.string(),
    workflowUrl: z.string(),
  });

/** `GET /v1/messages/:id`. */
export const messageAnswerSchema = z
  .object({
    messageId: z.uuid(),
    template: z.string(),
    channel: z.string(),
    createdAt: time,
    receiverCount: z.number().int(),
    statusCounts: z.record(z.string(), z.number().int()),
    sends: z.array(sendViewSchema),
  });

/** One vendor call (src/ops/send-evidence.ts), as the send view, diagnose and trace show it. */
const attemptRecord = z.object({
  id: z.uuid(),
  account: z.string(),
  provider: z.string(),
  attemptNo: z.number().int(),
  leg: z.number().int().meta({ description: '1: the first vendor send of its run; each re-route after a failed receipt counts up' }),
  outcome: z.string(),
  errorClass: nullableText,
  reason: nullableText,
  vendorCode: nullableText,
  vendorText: nullableText,
  vendorMessageId: nullableText,
  startedAt: time,
  durationMs: z.number().int(),
  runId: z.string().meta({ description: 'the run of the workflow that made the call' }),
});

/** One delivery receipt (src/ops/send-evidence.ts). */
const receiptRecord = z.object({
  id: z.uuid(), vendorMessageId: z.string().meta({ description: 'the acceptance it reports (a re-routed send has one per leg)' }), status: z.string(), reason: nullableText, vendorCode: nullableText, vendorText: nullableText,
  deliveredAt: time.nullable(), receivedAt: time, source: z.string(),
  runId: nullableText.meta({ description: 'the run whose acceptance it reports' }),
});

/** An earlier run of a send, replaced by a reset or a retry (src/ops/send-evidence.ts). */
const runRecord = z.object({
  runId: z.string(),
  runNo: z.number().int(),
  status: z.string(),
  reason: nullableText,
  reasonDetail: nullableText,
  vendor: nullableText,
  account: nullableText,
  vendorMessageId: nullableText,
  sentAt: time.nullable(),
  finishedAt: time.nullable(),
  replacedHow: z.enum(['RESET', 'RETRY']).meta({ description: 'RESET: the Temporal UI or CLI; RETRY: POST /v1/sends/:id/retry or `herald send retry`' }),
  replacedByRunId: z.string(),
  requestedBy: nullableText.meta({ description: 'who asked for the retry; a reset names its reason and identity in the workflow history' }),
  replacedAt: time,
});

/** A re-route after a failed receipt another vendor may fix (src/ops/send-evidence.ts). */
const rerouteRecord = z.object({
  leg: z.number().int().meta({ description: 'the leg the re-route started (2: the first re-route)' }),
  runId: z.string(),
  after: z.object({ account: z.string(), provider: z.string(), vendorMessageId: z.string(), vendorCode: nullableText, reason: nullableText }),
  to: nullableText.meta({ description: 'the first account the new leg called' }),
  at: time.nullable(),
  description: z.string().meta({ description: 're-routed after <vendor> receipt <code> (<reason>) to <account>' }),
});

/** `GET /v1/sends/:id`: the send with its vendor attempts and receipts. */
export const sendDetailAnswerSchema = sendViewSchema
  .extend({
    attempts: z.array(attemptRecord),
    receipts: z.array(receiptRecord),
    fallback: z.object({ sendId: z.uuid(), channel: z.string(), receiver: z.string(), status: z.string(), createdAt: time })
      .nullable().meta({ description: "the fallback send this send started on another channel (its template's fallback), with its own state" }),
    reroutes: z.array(rerouteRecord).meta({ description: 'each time a failed receipt another vendor may fix sent the message again through the next account' }),
    earlierRuns: z.array(runRecord).meta({ description: 'runs a reset or retry replaced, oldest first; the send shows the newest' }),
  });

const sendStatus = z.enum(SEND_STATUSES);

/** `POST /v1/sends/:id/cancel`: 200 when CANCELED, 409 otherwise (src/api/send-control.ts). */
export const cancelAnswerSchema = z
  .object({ sendId: z.uuid(), outcome: z.enum(['CANCELED', 'ALREADY_FINAL', 'AT_VENDOR']), status: sendStatus, message: z.string() });

/** `POST /v1/sends/:id/send-now`: 200 when RELEASED, 409 when the send was not deferred. */
export const sendNowAnswerSchema = z.object({ sendId: z.uuid(), outcome: z.enum(['RELEASED', 'NOT_DEFERRED']), status: sendStatus });

/** `POST /v1/messages/:id/cancel`: every send of the message, each with its own outcome. */
export const messageCancelAnswerSchema = z
  .object({ messageId: z.uuid(), canceled: z.number().int(), notCanceled: z.number().int(), sends: z.array(cancelAnswerSchema) });

/** `POST /v1/receipts/:provider/:accountToken`: the vendor's own acknowledgement (e.g. Tencent `{result:0}`), or Herald's. */
export const receiptPushAnswerSchema = z
  .unknown()
  .meta({ description: 'the acknowledgement the vendor expects (Tencent `{"result":0,"errmsg":"OK"}`, Aliyun `{"code":0,"msg":"成功"}`), otherwise `{"code":"OK","received":n}`' });


const verdict = z.enum(VERDICTS);
const step = z.enum(STEPS);

/** `GET /v1/diagnose` (src/ops/diagnose-verdict.ts). */
export const diagnosisAnswerSchema = z
  .object({
    receiver: z.string(),
    from: time,
    to: time,
    verdict,
    summary: z.string(),
    sends: z.array(
      z.object({
        sendId: z.string(),
        createdAt: time,
        template: z.string(),
        caller: z.string(),
        team: z.string(),
        status: z.string(),
        reason: nullableText,
        verdict,
        stoppedAt: step.nullable(),
        explanation: z.string(),
        nextStep: z.string(),
        steps: z.array(z.object({ step, outcome: z.enum(['passed', 'stopped', 'waiting', 'not reached']), detail: z.string() })),
        evidence: z.object({
          vendor: nullableText,
          vendorMessageId: nullableText,
          vendorCode: nullableText,
          vendorText: nullableText,
          deferredUntil: time.nullable(),
          sendAt: time.nullable().meta({ description: 'when a scheduled send started (null: at once)' }),
          collidedWith: z.object({ sendId: z.string(), createdAt: time.nullable(), status: nullableText, workflowUrl: z.string() }).nullable(),
          route: nullableText.meta({ description: "which route rule chose the send's accounts (or the channel's default route), each account with its effective weight and why" }),
          reroutes: z.array(z.string()).meta({ description: 're-routed after <vendor> receipt <code> (<reason>) to <account>, oldest first' }),
          attempts: z.array(attemptRecord),
          receipts: z.array(receiptRecord),
          earlierRuns: z.array(runRecord),
          fallbackOf: nullableText.meta({ description: 'a fallback send: the send that started it' }),
          fallback: z.object({ sendId: z.string(), channel: z.string(), status: z.string(), workflowUrl: z.string() }).nullable()
            .meta({ description: 'the fallback send this one started on another channel, with its state' }),
        }),
        runNo: z.number().int(),
        workflowUrl: z.string(),
      }),
    ),
    rejectedRequests: z.array(
      z.object({
        at: time,
        caller: nullableText,
        template: nullableText,
        status: z.number().int(),
        errorCode: z.string(),
        receiverAsReceived: z.array(z.string()),
        explanation: z.string(),
        nextStep: z.string(),
      }),
    ),
    windowRequests: z.array(z.object({ at: time, caller: nullableText, template: nullableText, status: z.number().int(), receivers: z.array(z.string()) })),
  });

/** `GET /v1/sends/:id/trace` (src/ops/trace-event.ts). */
export const traceAnswerSchema = z
  .object({
    sendId: z.uuid(),
    status: z.string(),
    reason: nullableText,
    run: z.number().int().meta({ description: 'the run the send shows (1, counted up by each reset or retry)' }),
    workflowId: z.string(),
    workflowUrl: z.string(),
    history: z.union([z.object({ available: z.literal(true) }), z.object({ available: z.literal(false), error: z.string() })]),
    events: z.array(
      z.object({
        at: time,
        source: z.enum(['workflow', 'records']),
        step: z.enum(TRACE_STEPS),
        what: z.string(),
        run: z.number().int().nullable().meta({ description: 'the run it belongs to; null: before any run (the API)' }),
        evidence: z.string(),
      }),
    ),
  });

/** `POST /v1/sends/:id/retry` (src/api/send-retry.ts): 202 when a new run started (or had already started for this failure). */
export const retryAnswerSchema = z
  .object({
    sendId: z.uuid(),
    outcome: z.enum(['RETRIED', 'ALREADY_RETRIED']).meta({ description: 'RETRIED: this call re-ran the send; ALREADY_RETRIED: an earlier call did, this is its answer again' }),
    how: z.literal('RESET').meta({ description: "the send's workflow was reset to its first workflow task: the same send id, a new run" }),
    runNo: z.number().int(),
    runId: z.string(),
    previousRunId: z.string(),
    previousStatus: z.string(),
    previousReason: nullableText,
    status: z.string().meta({ description: 'the send now' }),
    workflowId: z.string(),
    workflowUrl: z.string(),
    message: z.string(),
  });


/** `GET /v1/templates/search` (src/ops/template-search.ts). */
export const templateSearchAnswerSchema = z
  .object({
    text: z.string(),
    matches: z.array(
      z.object({
        matchedChars: z.number().int(),
        coverage: z.number(),
        exact: z.boolean(),
        template: z.object({ id: z.uuid(), code: z.string(), name: z.string(), channel: z.string(), status: z.string(), content: z.string() }),
        team: z.string(),
        callers: z.array(z.object({ apiKeyId: z.uuid(), name: z.string(), team: z.string(), messages: z.number().int(), lastUsedAt: time.nullable() })),
      }),
    ),
  });

const count = z.number().int();
const monthText = z.string().meta({ description: 'YYYY-MM' });
const dayText = z.string().meta({ description: 'YYYY-MM-DD in `timeZone`' });

/** Counts of one account (or all) over the month or one day (src/billing/billing-report.ts). */
const billingCounts = z.object({
  accepted: count.meta({ description: 'sends the vendor accepted (they carry a vendor message id): what the vendor bills' }),
  segments: count.meta({ description: 'billed segments of those sends (SMS units; 1 per e-mail or chat message)' }),
  receipts: z
    .object({ delivered: count, undelivered: count, expired: count, awaiting: count })
    .meta({ description: "the accepted sends by final status: expired = no receipt within the window, awaiting = none yet" }),
});

/**
 * `GET /v1/reports/billing` as JSON (src/billing/billing-report.ts): every
 * vendor account with sends in the month, all teams. Checked both ways
 * against BillingReport: the route's answer satisfies it, and it satisfies BillingReport.
 */
export const billingReportAnswerSchema = z.object({
  month: monthText,
  timeZone: z.string().meta({ description: 'the IANA zone days and the month are read in' }),
  accounts: z.array(
    billingCounts.extend({
      account: z.string(),
      provider: z.string(),
      channel: z.string(),
      days: z.array(billingCounts.extend({ day: dayText })).optional().meta({ description: 'with `by=day`: each day with sends' }),
    }),
  ),
  totals: billingCounts,
}) satisfies z.ZodType<BillingReport>;

const comparisonHead = {
  month: monthText,
  timeZone: z.string(),
  account: z.string(),
  provider: z.string(),
  matches: z.boolean().meta({ description: 'true when both sides agree in every respect compared' }),
};

const messageDifferences = z
  .object({
    count: count.meta({ description: 'how many there are in all' }),
    first: z
      .array(
        z.object({
          vendorMessageId: z.string(),
          line: count.nullable().meta({ description: 'line of the bill (1 is the header); null for a message only Herald has' }),
          sendId: z.uuid().nullable(),
          receiver: nullableText.meta({ description: 'masked' }),
          sentAt: z.iso.datetime().nullable().meta({ description: "when the vendor accepted Herald's send" }),
          heraldSegments: count.nullable(),
          vendorSegments: count.nullable(),
        }),
      )
      .meta({ description: 'the first 100' }),
  });

/**
 * `POST /v1/reports/billing/compare` (src/billing/bill-compare.ts): a
 * per-day or a per-message bill compared with Herald's sends. Checked both
 * ways against BillComparison, like the billing report.
 */
export const billComparisonAnswerSchema = z.discriminatedUnion('format', [
  z.object({
    ...comparisonHead,
    format: z.literal('per-day'),
    unit: z.enum(['segments', 'messages']),
    vendor: z.object({ rows: count, total: count }),
    herald: z.object({ total: count }),
    days: z
      .array(z.object({ day: dayText, herald: count, vendor: count, difference: count.meta({ description: 'vendor − herald' }) }))
      .meta({ description: 'days whose counts differ, from either side, in day order' }),
  }),
  z.object({
    ...comparisonHead,
    format: z.literal('per-message'),
    unit: z.literal('segments'),
    vendor: z.object({ rows: count, messages: count, segments: count, duplicatedIds: count.meta({ description: 'ids on more than one bill row' }) }),
    herald: z.object({ messages: count, segments: count }),
    vendorOnly: messageDifferences.meta({ description: 'billed by the vendor, unknown to Herald for this account' }),
    heraldOnly: messageDifferences.meta({ description: 'accepted by the vendor in the month, not on the bill' }),
    outsideMonth: messageDifferences.meta({ description: "billed in this month, accepted by the vendor in another by Herald's clock (a day boundary)" }),
    segmentsDiffer: messageDifferences.meta({ description: 'on both sides with a different number of segments' }),
  }),
]) satisfies z.ZodType<BillComparison>;

/** One suppression list entry (src/api/routes/suppressions.ts). */
export const suppressionViewSchema = z
  .object({
    id: z.uuid(),
    scope: z.enum(['GLOBAL', 'TEAM']).meta({ description: "GLOBAL stops every team's sends, TEAM only the team's" }),
    teamId: z.uuid().nullable().meta({ description: 'the team whose list it is; null on the global list' }),
    channel: z.string().meta({ description: CHANNELS.join(', ') }),
    receiver: z.string().meta({ description: 'masked in lists; in the answer to an add, the normalised receiver as stored' }),
    reason: z.string().meta({ description: SUPPRESSION_REASONS.join(', ') }),
    source: z.string().meta({ description: `${SUPPRESSION_SOURCES.join(', ')}: a business service, a vendor's unsubscribe receipt, an admin` }),
    detail: nullableText,
    createdAt: time,
  });

/** `GET /v1/suppressions`, `GET /v1/admin/suppressions`: newest first, receivers masked. */
export const suppressionListAnswerSchema = z.object({ suppressions: z.array(suppressionViewSchema) });

/** One refused row of an audience CSV. */
const audienceRowError = z.object({
  line: z.number().int().meta({ description: 'the line of the file the row starts on (the header is line 1)' }),
  reason: z.string().meta({ description: 'every problem of the row, naming columns (`receiver is not a valid phone number; name is empty`), or `duplicate of line N`' }),
});

/** An audience as the audience routes show it (src/api/routes/audiences.ts). */
export const audienceViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  channel: z.string().meta({ description: `${CHANNELS.join(', ')}: receivers are normalised for it` }),
  status: z.enum(AUDIENCE_STATUSES).meta({ description: 'UPLOADING while the file streams in, READY when stored whole (the only state campaigns use), FAILED when the upload broke off' }),
  variableColumns: z.array(z.string()).meta({ description: 'the variable columns of the header, in file order' }),
  rowCount: z.number().int().meta({ description: 'valid rows stored' }),
  invalidCount: z.number().int().meta({ description: 'refused rows (see errorsUrl)' }),
  createdAt: time,
  finishedAt: time.nullable(),
  errorsUrl: z.string().meta({ description: 'every refused row, paged (or as CSV with `Accept: text/csv`)' }),
});

/** `POST /v1/audiences` (201). */
export const audienceUploadAnswerSchema = audienceViewSchema.extend({
  errors: z.array(audienceRowError).meta({ description: 'the first 100 refused rows, by line; all of them at errorsUrl' }),
});

/** `GET /v1/audiences`: the team's audiences, newest first. */
export const audienceListAnswerSchema = z.object({ audiences: z.array(audienceViewSchema) });

/** `GET /v1/audiences/:id/errors` as JSON: a page of refused rows, by line. */
export const audienceErrorsAnswerSchema = z.object({
  audienceId: z.uuid(),
  errors: z.array(audienceRowError.extend({ raw: nullableText.meta({ description: "the row's fields as one CSV record, to fix and upload again" }) })),
  nextAfterLine: z.number().int().nullable().meta({ description: 'pass as `afterLine` for the next page; null on the last page' }),
});

/** `GET /openapi.json`: this document itself. */
export const openApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ description: 'an OpenAPI 3.1 document' });

const sendCounts = {
  sent: count.meta({ description: 'sends the vendor accepted (by the time it did)' }),
  delivered: count,
  undelivered: count,
  expired: count.meta({ description: 'no receipt within the receipt window' }),
  awaiting: count.meta({ description: 'accepted, no receipt yet' }),
  deliveryRate: z.number().nullable().meta({ description: 'delivered ÷ (delivered + undelivered + expired), 0 to 1; null when none is settled' }),
};

/** `GET /v1/reports/accounts` (src/ops/account-health.ts). */
export const accountHealthAnswerSchema = z.object({
  from: time.meta({ description: 'the start of the first hour' }),
  to: time,
  hours: count,
  circuitsReadable: z.boolean().meta({ description: 'false when Redis could not be read: circuits are null (workers then treat every circuit as closed)' }),
  accounts: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      channel: z.string(),
      provider: z.string(),
      enabled: z.boolean(),
      weight: count.meta({ description: 'as configured' }),
      pinnedWeight: count.nullable().meta({ description: 'a weight pinned by hand, never moved; null: automatic' }),
      priority: count,
      circuit: z
        .object({
          state: z.enum(['OPEN', 'CLOSED']).meta({ description: 'OPEN: repeated failures; the route tries the account last until it closes' }),
          openForMs: count.nullable().meta({ description: 'until an open circuit closes again' }),
          recentFailures: count.meta({ description: 'failures counted in the current window' }),
        })
        .nullable(),
      effectiveWeight: z.number().meta({ description: 'the weight the first choice of a send really gives it, live: configured × the delivery-rate factor (or pinned); 0 when disabled, weight 0, or its circuit is open' }),
      firstChoiceShare: z.number().meta({ description: 'share of its channel\'s sends that try it first, 0 to 1' }),
      weightReason: z.string().meta({ description: 'why the effective weight is what it is: where the delivery-rate rules moved it and on which figures' }),
      live: z
        .object({
          state: z.enum(['NORMAL', 'DEGRADED']).meta({ description: 'DEGRADED: weight moved away from it' }),
          since: time.nullable(),
          factor: z.number(),
          pinned: z.boolean(),
          windowSeconds: count,
          receipts: count,
          deliveryRate: z.number().nullable(),
          calls: count,
          latencyMs: count.nullable(),
        })
        .nullable()
        .meta({ description: "the routing health figures in Redis over the last ROUTE_HEALTH_WINDOW_SECONDS (what the weights are judged on); null for a disabled account" }),
      attempts: z
        .object({ total: count, accepted: count, failed: count, p50Ms: count.nullable(), p95Ms: count.nullable() })
        .meta({ description: 'vendor calls in the window and their latency (median, 95th percentile)' }),
      sends: z.object(sendCounts),
      hourly: z.array(z.object({ hour: time, ...sendCounts })).meta({ description: 'every hour of the window, oldest first' }),
    }),
  ),
});

/** `GET /v1/messages`: the team's messages, newest first. */
export const messageListAnswerSchema = z.object({
  messages: z.array(
    z.object({
      messageId: z.uuid(),
      template: z.string(),
      channel: z.string(),
      createdAt: time,
      receiverCount: count,
      campaign: z.object({ id: z.uuid(), name: z.string(), runId: z.uuid() }).nullable().meta({ description: 'the campaign run that made it, if one did' }),
    }),
  ),
  nextBefore: z.uuid().nullable().meta({ description: 'pass as `before` for the next page; null on the last page' }),
});

/** `GET /v1/messages/:id/sends`: a page of a message's sends, and the counts of all of them by status. */
export const messageSendsAnswerSchema = z.object({
  messageId: z.uuid(),
  template: z.string(),
  channel: z.string(),
  createdAt: time,
  receiverCount: count,
  statusCounts: z.record(z.string(), count).meta({ description: 'every send of the message by status (not only this page)' }),
  finalCount: count.meta({ description: 'sends in a final state' }),
  total: count.meta({ description: 'sends of the message matching the filter' }),
  sends: z.array(sendViewSchema),
  nextAfter: z.uuid().nullable().meta({ description: 'pass as `after` for the next page; null on the last page' }),
});
