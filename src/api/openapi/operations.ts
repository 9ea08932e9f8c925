import type { z } from 'zod';
import * as adminAnswers from '../admin/answers';
import { createAccountSchema, createTemplateSchema, issueApiKeySchema, templateListQuerySchema, updateAccountSchema, updateTemplateSchema } from '../admin/schemas';
import * as answers from '../answers';
import * as campaignAnswers from '../campaign-answers';
import { campaignRequestSchema, campaignRunParamsSchema } from '../campaign-schemas';
import {
  audienceErrorsQuerySchema,
  audienceListQuerySchema,
  audienceUploadQuerySchema,
  billCompareQuerySchema,
  billingReportQuerySchema,
  adminSuppressionRequestSchema,
  diagnoseQuerySchema,
  idempotencyKeySchema,
  idParamSchema,
  messageRequestSchema,
  receiptPathSchema,
  receiptPushBodySchema,
  suppressionListQuerySchema,
  suppressionRequestSchema,
  templateSearchQuerySchema,
} from '../schemas';
import type { Access, ApiOperation } from './operation';

const SEND: Access = { kind: 'api-key', scope: 'send' };
const OPS: Access = { kind: 'api-key', scope: 'ops' };
const ADMIN: Access = { kind: 'api-key', scope: 'admin' };
const PUBLIC: Access = { kind: 'public' };

/** A 200 with a JSON body. */
const ok = (description: string, schema: z.ZodType): ApiOperation['answers'] => ({ 200: { description, schema } });

const health: ApiOperation[] = [
  { method: 'get', path: '/healthz', tag: 'health', summary: 'The process is up', access: PUBLIC, answers: ok('always, while the process runs', answers.healthAnswerSchema) },
  {
    method: 'get',
    path: '/readyz',
    tag: 'health',
    summary: 'Postgres, Redis and Temporal reachable',
    description: 'Postgres is required to accept anything; Redis or Temporal down leaves the API accepting (sends wait in the outbox), reported as `degraded`.',
    access: PUBLIC,
    answers: {
      200: { description: 'ready or degraded', schema: answers.readinessAnswerSchema },
      503: { description: 'unavailable: Postgres cannot be reached', schema: answers.readinessAnswerSchema },
    },
  },
  { method: 'get', path: '/metrics', tag: 'health', summary: 'Prometheus metrics', access: PUBLIC, answers: { 200: { description: 'Prometheus text exposition format', mediaType: 'text/plain' } } },
  { method: 'get', path: '/openapi.json', tag: 'docs', summary: 'This OpenAPI document', access: PUBLIC, answers: ok('the document', answers.openApiDocumentSchema) },
  { method: 'get', path: '/docs', tag: 'docs', summary: 'Interactive API docs (Swagger UI, served from this server)', access: PUBLIC, answers: { 200: { description: 'the docs page', mediaType: 'text/html' } } },
];

const receipts: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/receipts/:provider/:accountToken',
    tag: 'receipts',
    summary: 'A vendor pushes delivery reports',
    description: "No API key: the URL's account token is the credential (an admin reads the URL as `receiptUrl` of the account). A report only touches that account's sends.",
    access: { kind: 'receipt-token' },
    params: receiptPathSchema,
    body: receiptPushBodySchema,
    answers: ok('stored (and signalled to the send workflows); the body is the acknowledgement the vendor expects', answers.receiptPushAnswerSchema),
    errors: { 400: "INVALID_RECEIPT: the body is not the provider's report format", 401: 'UNAUTHENTICATED: unknown provider or wrong account token (no more said)', 403: "RECEIPT_SOURCE_REFUSED: the request's address is not in the account's receiptSources; INVALID_RECEIPT_SIGNATURE: an http-gateway push whose signature header does not verify" },
  },
];

const sending: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/messages',
    tag: 'messages',
    summary: 'Send a template to receivers',
    description: 'One send (a durable workflow) per receiver. All or nothing for the caller’s mistakes. With `Idempotency-Key`, a repeat answers what was accepted the first time.',
    access: SEND,
    headers: { 'Idempotency-Key': { schema: idempotencyKeySchema, description: 'makes a retried request harmless (per API key)' } },
    body: messageRequestSchema,
    answers: { 202: { description: 'accepted (or replayed); receivers refused by the burst cap are listed in `capped`', schema: answers.acceptedAnswerSchema } },
    errors: {
      400: 'INVALID_RECEIVERS: a receiver is not a phone number / e-mail / chat id (details.invalid); MISSING_VARIABLES: a placeholder has no value',
      404: 'TEMPLATE_NOT_FOUND: no such template in your team',
      409: 'TEMPLATE_NOT_APPROVED, TEMPLATE_DISABLED, TEMPLATE_NOT_ACTIVE, TEMPLATE_MISCONFIGURED: the template cannot send; IDEMPOTENCY_KEY_REUSED: the key was used for a different request',
      413: 'TOO_MANY_RECEIVERS: more than MAX_RECEIVERS_PER_REQUEST receivers',
      429: 'RECEIVERS_CAPPED: every receiver got too many messages recently; nothing was sent (Retry-After)',
    },
  },
  {
    method: 'get',
    path: '/v1/messages/:id',
    tag: 'messages',
    summary: 'A message and its sends',
    access: SEND,
    params: idParamSchema,
    answers: ok('the message', answers.messageAnswerSchema),
    errors: { 404: 'MESSAGE_NOT_FOUND: no such message in your team' },
  },
  {
    method: 'post',
    path: '/v1/messages/:id/cancel',
    tag: 'messages',
    summary: 'Cancel every send of a message that is still waiting',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: ok('each send with its outcome', answers.messageCancelAnswerSchema),
    errors: { 404: 'MESSAGE_NOT_FOUND: no such message in your team' },
  },
  {
    method: 'get',
    path: '/v1/sends/:id',
    tag: 'sends',
    summary: 'A send with its vendor attempts and receipts',
    access: SEND,
    params: idParamSchema,
    answers: ok('the send', answers.sendDetailAnswerSchema),
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team' },
  },
  {
    method: 'post',
    path: '/v1/sends/:id/cancel',
    tag: 'sends',
    summary: 'Cancel a send that is still waiting (queued or deferred)',
    description: "A Workflow Update on the send's workflow: its validator refuses any state past the queue (the answer's 409), so checking and canceling are one step; the answer comes once the send is final.",
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      200: { description: 'CANCELED', schema: answers.cancelAnswerSchema },
      409: { description: 'not canceled: ALREADY_FINAL, or AT_VENDOR (cannot be recalled)', schema: answers.cancelAnswerSchema },
    },
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team' },
  },
  {
    method: 'post',
    path: '/v1/sends/:id/send-now',
    tag: 'sends',
    summary: 'Release a send deferred by the night shield now',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      200: { description: 'RELEASED', schema: answers.sendNowAnswerSchema },
      409: { description: 'NOT_DEFERRED: the send was not waiting for its release time', schema: answers.sendNowAnswerSchema },
    },
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team' },
  },
];

const ops: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/diagnose',
    tag: 'ops',
    summary: 'Why did a receiver not get the message?',
    description: 'Every team’s sends and requests for one receiver in a window (default the last 7 days, at most 31), with a verdict, the step it stopped at, and the evidence.',
    access: OPS,
    query: diagnoseQuerySchema,
    answers: ok('the diagnosis', answers.diagnosisAnswerSchema),
  },
  {
    method: 'get',
    path: '/v1/sends/:id/trace',
    tag: 'ops',
    summary: "A send's workflow history and records as one ordered list",
    access: OPS,
    params: idParamSchema,
    answers: ok('the trace; `history.available` is false when Temporal could not be read', answers.traceAnswerSchema),
    errors: { 404: 'SEND_NOT_FOUND: no such send' },
  },
  {
    method: 'post',
    path: '/v1/sends/:id/retry',
    tag: 'ops',
    summary: 'Re-run a FAILED, EXPIRED or UNDELIVERED send',
    description:
      "Resets the send's workflow `send-<id>` to its first workflow task, as the Temporal UI's Reset does: the same send id, a new run through screening, dedup, the night shield, the vendors and the receipt (the earlier run's signals and updates are not replayed). The send shows the new run at once; the earlier run's outcome, attempts and receipts stay, marked with its run id (`earlierRuns`). Any team's send. A repeat answers ALREADY_RETRIED with the run the first call started; nothing new starts.",
    access: OPS,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      202: { description: 'RETRIED: a new run of the workflow started', schema: answers.retryAnswerSchema },
      200: { description: 'ALREADY_RETRIED: an earlier call started the run that retries this failure', schema: answers.retryAnswerSchema },
    },
    errors: {
      404: 'SEND_NOT_FOUND: no such send',
      409: 'NOT_RETRYABLE: the send is not FAILED, EXPIRED or UNDELIVERED (still going, DELIVERED, or a decision such as DEDUPED or CANCELED); details name its status and reason. WORKFLOW_GONE: its workflow is past retention',
    },
  },
  {
    method: 'get',
    path: '/v1/templates/search',
    tag: 'ops',
    summary: 'Which template could have produced this text?',
    access: OPS,
    query: templateSearchQuerySchema,
    answers: ok('the matching templates, best first, with their recent callers', answers.templateSearchAnswerSchema),
  },
];

const billing: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/reports/billing',
    tag: 'billing',
    summary: 'What each vendor account was billed for in a month',
    description:
      'Per vendor account (all teams: vendors bill the account): sends the vendor accepted, their billed segments, and receipts by final status; with `by=day` each day too. A send counts on the day its vendor accepted it, in `timeZone` (default `DEFAULT_TIME_ZONE`). JSON, or CSV (one row per account, or per account and day) with `format=csv` or `Accept: text/csv` without a `format`.',
    access: OPS,
    query: billingReportQuerySchema,
    answers: { 200: { description: 'the report; as CSV (RFC 4180, an attachment) when asked', schema: answers.billingReportAnswerSchema, mediaType: 'text/csv' } },
  },
  {
    method: 'post',
    path: '/v1/reports/billing/compare',
    tag: 'billing',
    summary: "A vendor's bill compared with Herald's sends",
    description:
      "The body is the vendor's bill as CSV, per message (a vendor message id and a segments column) or per day (a date and a count column), told apart by the header row; read as it streams in, at most `BILL_MAX_BYTES`. Any unreadable row refuses the whole bill: nothing is compared.",
    access: OPS,
    query: billCompareQuerySchema,
    textBody: { mediaTypes: ['text/csv', 'text/plain'], description: "the vendor's bill: a header row, then one row per message or per day" },
    answers: ok('the comparison, per day or per message (`format`); each list of differences holds the first 100 and counts all', answers.billComparisonAnswerSchema),
    errors: {
      400: 'INVALID_BILL: the bill has unreadable rows; `details.problemCount` counts them, `details.rows` lists the first 100 as `{line, field, reason}` (line 1 is the header, `field: "csv"` for broken quoting)',
      404: 'ACCOUNT_NOT_FOUND: no vendor account named `account`',
      413: 'BILL_TOO_LARGE: the bill is larger than BILL_MAX_BYTES (`details.limit`)',
      415: 'UNSUPPORTED_MEDIA_TYPE: the body is not text/csv (or text/plain)',
    },
  },
];

const suppressionAdded: ApiOperation['answers'] = {
  200: { description: 'the entry was there already (same list, channel and receiver): its reason, source and detail are updated', schema: answers.suppressionViewSchema },
  201: { description: 'added', schema: answers.suppressionViewSchema },
};
const badSuppressionReceiver = { 400: 'INVALID_REQUEST: `receiver` is not a valid receiver for `channel` (`details.fields` names it)' };
const removed: ApiOperation['answers'] = { 204: { description: 'removed' } };

const suppressions: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/suppressions',
    tag: 'suppressions',
    summary: "Your team's suppression list",
    description: 'Newest first, receivers masked. `receiver` (any common format) and `channel` narrow it to one receiver or channel.',
    access: SEND,
    query: suppressionListQuerySchema,
    answers: ok("the team's entries", answers.suppressionListAnswerSchema),
  },
  {
    method: 'post',
    path: '/v1/suppressions',
    tag: 'suppressions',
    summary: "Put a receiver on your team's suppression list",
    description: "Source `API`. The team's sends to this receiver on this channel end `SUPPRESSED` (a VERIFICATION template with `bypassTeamSuppression` passes it). The receiver is normalised like a send's.",
    access: SEND,
    body: suppressionRequestSchema,
    answers: suppressionAdded,
    errors: badSuppressionReceiver,
  },
  {
    method: 'delete',
    path: '/v1/suppressions/:id',
    tag: 'suppressions',
    summary: "Remove an entry from your team's suppression list",
    access: SEND,
    params: idParamSchema,
    answers: removed,
    errors: { 404: "SUPPRESSION_NOT_FOUND: no such entry on your team's list" },
  },
  {
    method: 'get',
    path: '/v1/admin/suppressions',
    tag: 'admin: suppressions',
    summary: 'The global suppression list',
    description: 'Newest first, receivers masked. `receiver` (any common format) and `channel` narrow it to one receiver or channel.',
    access: ADMIN,
    query: suppressionListQuerySchema,
    answers: ok('the global entries', answers.suppressionListAnswerSchema),
  },
  {
    method: 'post',
    path: '/v1/admin/suppressions',
    tag: 'admin: suppressions',
    summary: "Put a receiver on the global list (`global: true`) or your team's",
    description: "Source `MANUAL`. An entry on the global list stops every team's sends, and no template bypasses it. The receiver is normalised like a send's.",
    access: ADMIN,
    body: adminSuppressionRequestSchema,
    answers: suppressionAdded,
    errors: badSuppressionReceiver,
  },
  {
    method: 'delete',
    path: '/v1/admin/suppressions/:id',
    tag: 'admin: suppressions',
    summary: "Remove an entry from the global list or your team's",
    access: ADMIN,
    params: idParamSchema,
    answers: removed,
    errors: { 404: "SUPPRESSION_NOT_FOUND: no such entry on the global list or your team's list" },
  },
];

const audienceNotFound = { 404: 'AUDIENCE_NOT_FOUND: no such audience in your team' };

const audiences: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/audiences',
    tag: 'audiences',
    summary: 'Upload an audience: a CSV of receivers and their template variables',
    description:
      'The body is the CSV (UTF-8), read as it streams in. Line 1 is the header: a `receiver` column and one column per template variable (letters, digits and _). ' +
      "Each data row is checked: as many fields as the header, a receiver valid for `channel` (stored normalised), no empty variable, a receiver not on an earlier line. " +
      'Refused rows are stored with their line and reason, never dropped; the answer lists the first 100. ' +
      'A bad header, broken CSV, more than AUDIENCE_MAX_ROWS rows or AUDIENCE_MAX_BYTES bytes store nothing; an upload that breaks off leaves the audience FAILED.',
    access: SEND,
    query: audienceUploadQuerySchema,
    textBody: { mediaTypes: ['text/csv', 'text/plain'], description: 'the audience: a header row (`receiver`, then the variable columns), then one row per receiver' },
    answers: { 201: { description: 'stored and READY; `errors` lists the first 100 refused rows', schema: answers.audienceUploadAnswerSchema } },
    errors: {
      400:
        'EMPTY_FILE: no header; INVALID_HEADER: no `receiver` column, an unnamed, duplicate or badly named column (the message names it); NO_ROWS: a header and nothing else; ' +
        'INVALID_CSV: the CSV breaks at `details.line` (a quote never closed); UPLOAD_BROKE_OFF: the body ended early (the audience is FAILED). Nothing is stored, except for UPLOAD_BROKE_OFF',
      413: 'AUDIENCE_TOO_LARGE: more than AUDIENCE_MAX_ROWS data rows or AUDIENCE_MAX_BYTES bytes (`details.limit`); nothing is stored',
      415: 'UNSUPPORTED_MEDIA_TYPE: the body is not text/csv (or text/plain)',
    },
  },
  {
    method: 'get',
    path: '/v1/audiences',
    tag: 'audiences',
    summary: "Your team's audiences",
    description: 'Newest first.',
    access: SEND,
    query: audienceListQuerySchema,
    answers: ok('the audiences', answers.audienceListAnswerSchema),
  },
  { method: 'get', path: '/v1/audiences/:id', tag: 'audiences', summary: 'One audience', access: SEND, params: idParamSchema, answers: ok('the audience', answers.audienceViewSchema), errors: audienceNotFound },
  {
    method: 'get',
    path: '/v1/audiences/:id/errors',
    tag: 'audiences',
    summary: "An audience's refused rows",
    description: 'By line, a page at a time (`afterLine`, `limit`); or every one of them as CSV (`line,reason,raw`, an attachment) with `format=csv` or `Accept: text/csv`, to fix and upload again.',
    access: SEND,
    params: idParamSchema,
    query: audienceErrorsQuerySchema,
    answers: { 200: { description: 'a page of refused rows; as CSV (all of them) when asked', schema: answers.audienceErrorsAnswerSchema, mediaType: 'text/csv' } },
    errors: audienceNotFound,
  },
  {
    method: 'delete',
    path: '/v1/audiences/:id',
    tag: 'audiences',
    summary: 'Delete an audience with its rows and refused rows',
    access: SEND,
    params: idParamSchema,
    answers: removed,
    errors: { ...audienceNotFound, 409: 'AUDIENCE_IN_USE: a campaign (deleted ones included) was made with it' },
  },
];

const campaignNotFound = { 404: 'CAMPAIGN_NOT_FOUND: no such campaign in your team' };
const campaignControl = (action: 'pause' | 'resume' | 'trigger', summary: string, description: string): ApiOperation => ({
  method: 'post',
  path: `/v1/campaigns/:id/${action}`,
  tag: 'campaigns',
  summary,
  description,
  access: SEND,
  params: idParamSchema,
  usesTemporal: true,
  answers: ok('the campaign', campaignAnswers.campaignViewSchema),
  errors: { ...campaignNotFound, 409: 'CAMPAIGN_DELETED: the campaign is deleted' },
});

const campaigns: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/campaigns',
    tag: 'campaigns',
    summary: 'Send a template to an audience, once or on a cron schedule',
    description:
      'A Temporal Schedule `campaign-<id>` starts one run per tick (overlap SKIP: a tick while the previous run still goes does nothing). A run makes one message; each audience row becomes one send, rendered with its own variables, screened and sent like any other.',
    access: SEND,
    body: campaignRequestSchema,
    usesTemporal: true,
    answers: { 201: { description: 'created, with its schedule', schema: campaignAnswers.campaignViewSchema } },
    errors: {
      400: 'INVALID_SCHEDULE: `schedule.at` is not in the future or `schedule.cron` is unreadable; CHANNEL_MISMATCH: the audience is of another channel; MISSING_COLUMNS: the audience lacks a column for a template variable (`details.missing`)',
      404: 'TEMPLATE_NOT_FOUND, AUDIENCE_NOT_FOUND: not in your team',
      409: 'AUDIENCE_NOT_READY: the audience is still uploading or failed; TEMPLATE_NOT_APPROVED, TEMPLATE_DISABLED, TEMPLATE_NOT_ACTIVE, TEMPLATE_MISCONFIGURED: the template cannot send',
    },
  },
  { method: 'get', path: '/v1/campaigns', tag: 'campaigns', summary: "Your team's campaigns (deleted ones left out)", access: SEND, answers: ok('the campaigns, newest first', campaignAnswers.campaignListAnswerSchema) },
  {
    method: 'get',
    path: '/v1/campaigns/:id',
    tag: 'campaigns',
    summary: 'A campaign, its schedule (paused, next times) and recent runs',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: ok('the campaign', campaignAnswers.campaignViewSchema),
    errors: campaignNotFound,
  },
  campaignControl('pause', 'Pause the schedule', 'No new runs until resumed; a run already going finishes.'),
  campaignControl('resume', 'Resume the schedule', 'Runs start again at the next tick (missed ticks are not made up).'),
  {
    ...campaignControl('trigger', 'Trigger a run now', 'One run now, whatever the schedule says, paused or not; skipped like a tick while a run still goes.'),
    answers: { 202: { description: 'the run is asked for; it appears in `runs` when it starts', schema: campaignAnswers.campaignViewSchema } },
  },
  {
    method: 'delete',
    path: '/v1/campaigns/:id',
    tag: 'campaigns',
    summary: 'Delete a campaign: its schedule goes, its runs and sends stay',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: { 204: { description: 'deleted (or deleted before)' } },
    errors: campaignNotFound,
  },
  {
    method: 'get',
    path: '/v1/campaigns/:id/runs/:runId',
    tag: 'campaigns',
    summary: "A run's progress: sends per status, rows, invalid audience lines, pages",
    access: SEND,
    params: campaignRunParamsSchema,
    usesTemporal: true,
    answers: ok('the run', campaignAnswers.campaignRunProgressSchema),
    errors: { 404: 'CAMPAIGN_NOT_FOUND, CAMPAIGN_RUN_NOT_FOUND: not in your team' },
  },
];

const templateNotFound = { 404: 'TEMPLATE_NOT_FOUND: no such template in your team' };
const accountNotFound = { 404: 'ACCOUNT_NOT_FOUND: no such account' };

const adminTemplates: ApiOperation[] = [
  { method: 'get', path: '/v1/admin/templates', tag: 'admin: templates', summary: "Your team's templates", access: ADMIN, query: templateListQuerySchema, answers: ok('the templates, by code', adminAnswers.templateListAnswerSchema) },
  { method: 'get', path: '/v1/admin/templates/:id', tag: 'admin: templates', summary: 'One template', access: ADMIN, params: idParamSchema, answers: ok('the template', adminAnswers.templateViewSchema), errors: templateNotFound },
  {
    method: 'post',
    path: '/v1/admin/templates',
    tag: 'admin: templates',
    summary: 'Create a template (PENDING_APPROVAL until approved)',
    access: ADMIN,
    body: createTemplateSchema,
    answers: { 201: { description: 'created', schema: adminAnswers.templateViewSchema } },
    errors: { 409: 'TEMPLATE_CODE_TAKEN: a template with this code exists' },
  },
  {
    method: 'patch',
    path: '/v1/admin/templates/:id',
    tag: 'admin: templates',
    summary: 'Change a template (a content change of an ACTIVE one needs approval again)',
    access: ADMIN,
    params: idParamSchema,
    body: updateTemplateSchema,
    answers: ok('the changed template', adminAnswers.templateViewSchema),
    errors: templateNotFound,
  },
  { method: 'post', path: '/v1/admin/templates/:id/approve', tag: 'admin: templates', summary: 'Approve a template (ACTIVE)', access: ADMIN, params: idParamSchema, answers: ok('the template', adminAnswers.templateViewSchema), errors: templateNotFound },
  { method: 'post', path: '/v1/admin/templates/:id/disable', tag: 'admin: templates', summary: 'Disable a template', access: ADMIN, params: idParamSchema, answers: ok('the template', adminAnswers.templateViewSchema), errors: templateNotFound },
];

const adminAccounts: ApiOperation[] = [
  { method: 'get', path: '/v1/admin/accounts', tag: 'admin: accounts', summary: 'Vendor accounts (shared by all teams)', access: ADMIN, answers: ok('the accounts', adminAnswers.accountListAnswerSchema) },
  { method: 'get', path: '/v1/admin/accounts/:id', tag: 'admin: accounts', summary: 'One vendor account', access: ADMIN, params: idParamSchema, answers: ok('the account', adminAnswers.accountViewSchema), errors: accountNotFound },
  {
    method: 'post',
    path: '/v1/admin/accounts',
    tag: 'admin: accounts',
    summary: 'Create a vendor account',
    description: "`config` and `secrets` are checked with the provider's own schemas; secrets are sealed at rest and never answered.",
    access: ADMIN,
    body: createAccountSchema,
    answers: { 201: { description: 'created', schema: adminAnswers.accountViewSchema } },
    errors: { 409: 'ACCOUNT_NAME_TAKEN: an account with this name exists' },
  },
  {
    method: 'patch',
    path: '/v1/admin/accounts/:id',
    tag: 'admin: accounts',
    summary: 'Change a vendor account (`config` and `secrets` are replaced whole)',
    access: ADMIN,
    params: idParamSchema,
    body: updateAccountSchema,
    answers: ok('the changed account', adminAnswers.accountViewSchema),
    errors: { ...accountNotFound, 409: 'ACCOUNT_NAME_TAKEN: an account with this name exists' },
  },
  { method: 'post', path: '/v1/admin/accounts/:id/enable', tag: 'admin: accounts', summary: 'Enable an account', access: ADMIN, params: idParamSchema, answers: ok('the account', adminAnswers.accountViewSchema), errors: accountNotFound },
  { method: 'post', path: '/v1/admin/accounts/:id/disable', tag: 'admin: accounts', summary: 'Disable an account', access: ADMIN, params: idParamSchema, answers: ok('the account', adminAnswers.accountViewSchema), errors: accountNotFound },
];

const adminApiKeys: ApiOperation[] = [
  { method: 'get', path: '/v1/admin/api-keys', tag: 'admin: API keys', summary: "Your team's API keys (never the keys themselves)", access: ADMIN, answers: ok('the keys', adminAnswers.apiKeyListAnswerSchema) },
  {
    method: 'post',
    path: '/v1/admin/api-keys',
    tag: 'admin: API keys',
    summary: 'Issue an API key (shown in this answer only)',
    access: ADMIN,
    body: issueApiKeySchema,
    answers: { 201: { description: 'issued; store `key` now', schema: adminAnswers.issuedApiKeyAnswerSchema } },
  },
  {
    method: 'post',
    path: '/v1/admin/api-keys/:id/revoke',
    tag: 'admin: API keys',
    summary: 'Revoke an API key (refused from the next request on)',
    access: ADMIN,
    params: idParamSchema,
    answers: ok('the revoked key', adminAnswers.apiKeyViewSchema),
    errors: { 404: 'API_KEY_NOT_FOUND: no such key in your team' },
  },
];

/**
 * Every route of the HTTP API (src/api/app.ts). A new route is added here
 * too, or test/integration/openapi.test.ts fails: it compares this table with
 * the routes express has registered, both ways.
 */
export const API_OPERATIONS: readonly ApiOperation[] = [...health, ...receipts, ...sending, ...ops, ...billing, ...suppressions, ...audiences, ...campaigns, ...adminTemplates, ...adminAccounts, ...adminApiKeys];
