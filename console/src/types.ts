/**
 * The parts of Herald's JSON answers the console reads, as they arrive on the
 * wire (times are ISO text). The API's own schemas are in src/api/answers.ts
 * and the served /openapi.json.
 */

export type Capability = 'diagnose' | 'retrySend' | 'messages' | 'accounts' | 'editAccounts' | 'templates' | 'approveTemplates' | 'templateSearch' | 'billing' | 'campaigns';

export interface Session {
  apiKey: { id: string; name: string; prefix: string };
  team: string;
  scopes: string[];
  capabilities: Capability[];
  csrfToken: string;
  expiresAt: string;
  temporalUiUrl: string;
}

export interface Attempt {
  id: string;
  account: string;
  provider: string;
  attemptNo: number;
  outcome: string;
  errorClass: string | null;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  vendorMessageId: string | null;
  startedAt: string;
  durationMs: number;
}

/** An earlier run of a send, replaced by a reset or a retry. */
export interface EarlierRun {
  runId: string;
  runNo: number;
  status: string;
  reason: string | null;
  replacedHow: 'RESET' | 'RETRY';
  requestedBy: string | null;
  replacedAt: string;
}

export interface ReceiptRecord {
  id: string;
  status: string;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  deliveredAt: string | null;
  receivedAt: string;
  source: string;
}

export type StepOutcome = 'passed' | 'stopped' | 'waiting' | 'not reached';

export interface SendDiagnosis {
  sendId: string;
  createdAt: string;
  template: string;
  caller: string;
  team: string;
  status: string;
  reason: string | null;
  verdict: string;
  stoppedAt: string | null;
  explanation: string;
  nextStep: string;
  steps: Array<{ step: string; outcome: StepOutcome; detail: string }>;
  evidence: {
    vendor: string | null;
    vendorMessageId: string | null;
    vendorCode: string | null;
    vendorText: string | null;
    deferredUntil: string | null;
    sendAt: string | null;
    collidedWith: { sendId: string; createdAt: string | null; status: string | null; workflowUrl: string } | null;
    attempts: Attempt[];
    receipts: ReceiptRecord[];
    earlierRuns: EarlierRun[];
  };
  runNo: number;
  workflowUrl: string;
}

export interface Diagnosis {
  receiver: string;
  from: string;
  to: string;
  verdict: string;
  summary: string;
  sends: SendDiagnosis[];
  rejectedRequests: Array<{ at: string; caller: string | null; template: string | null; status: number; errorCode: string; receiverAsReceived: string[]; explanation: string; nextStep: string }>;
  windowRequests: Array<{ at: string; caller: string | null; template: string | null; status: number; receivers: string[] }>;
}

export interface SendView {
  sendId: string;
  receiver: string;
  status: string;
  reason: string | null;
  reasonDetail: string | null;
  vendor: string | null;
  vendorMessageId: string | null;
  segments: number;
  deferredUntil: string | null;
  createdAt: string;
  sentAt: string | null;
  finishedAt: string | null;
  runNo: number;
  earlierRuns: EarlierRun[];
  workflowUrl: string;
}

export interface Trace {
  sendId: string;
  status: string;
  reason: string | null;
  workflowId: string;
  workflowUrl: string;
  history: { available: true } | { available: false; error: string };
  events: Array<{ at: string; source: 'workflow' | 'records'; step: string; what: string; evidence: string }>;
}

export interface MessageSummary {
  messageId: string;
  template: string;
  channel: string;
  createdAt: string;
  receiverCount: number;
  campaign: { id: string; name: string; runId: string } | null;
}

export interface MessageSends {
  messageId: string;
  template: string;
  channel: string;
  createdAt: string;
  receiverCount: number;
  statusCounts: Record<string, number>;
  finalCount: number;
  total: number;
  sends: SendView[];
  nextAfter: string | null;
}

export interface SendCounts {
  sent: number;
  delivered: number;
  undelivered: number;
  expired: number;
  awaiting: number;
  deliveryRate: number | null;
}

export interface AccountHealth {
  id: string;
  name: string;
  channel: string;
  provider: string;
  enabled: boolean;
  weight: number;
  pinnedWeight: number | null;
  priority: number;
  circuit: { state: 'OPEN' | 'CLOSED'; openForMs: number | null; recentFailures: number } | null;
  effectiveWeight: number;
  firstChoiceShare: number;
  weightReason: string;
  /** The routing health figures the weight is judged on (Redis, the last window); null for a disabled account. */
  live: {
    state: 'NORMAL' | 'DEGRADED';
    since: string | null;
    factor: number;
    pinned: boolean;
    windowSeconds: number;
    receipts: number;
    deliveryRate: number | null;
    calls: number;
    latencyMs: number | null;
  } | null;
  attempts: { total: number; accepted: number; failed: number; p50Ms: number | null; p95Ms: number | null };
  sends: SendCounts;
  hourly: Array<SendCounts & { hour: string }>;
}

export interface AccountHealthReport {
  from: string;
  to: string;
  hours: number;
  circuitsReadable: boolean;
  accounts: AccountHealth[];
}

export interface Template {
  id: string;
  code: string;
  name: string;
  status: string;
  channel: string;
  messageType: string;
  subject: string | null;
  content: string;
  placeholders: string[];
  shieldPolicy: string;
  quietStart: string | null;
  quietEnd: string | null;
  releaseAt: string | null;
  timeZone: string | null;
  dedupContentSeconds: number | null;
  dedupContentMax: number | null;
  dailyCapMax: number | null;
}

export interface TemplateMatch {
  matchedChars: number;
  coverage: number;
  exact: boolean;
  template: { id: string; code: string; name: string; channel: string; status: string; content: string };
  team: string;
  callers: Array<{ apiKeyId: string; name: string; team: string; messages: number; lastUsedAt: string | null }>;
}

export interface BillingCounts {
  accepted: number;
  segments: number;
  receipts: { delivered: number; undelivered: number; expired: number; awaiting: number };
}

export interface BillingReport {
  month: string;
  timeZone: string;
  accounts: Array<BillingCounts & { account: string; provider: string; channel: string; days?: Array<BillingCounts & { day: string }> }>;
  totals: BillingCounts;
}

interface MessageDifferences {
  count: number;
  first: Array<{ vendorMessageId: string; line: number | null; sendId: string | null; receiver: string | null; sentAt: string | null; heraldSegments: number | null; vendorSegments: number | null }>;
}

export type BillComparison = { month: string; account: string; provider: string; matches: boolean } & (
  | { format: 'per-day'; unit: string; vendor: { rows: number; total: number }; herald: { total: number }; days: Array<{ day: string; herald: number; vendor: number; difference: number }> }
  | {
      format: 'per-message';
      unit: string;
      vendor: { rows: number; messages: number; segments: number; duplicatedIds: number };
      herald: { messages: number; segments: number };
      vendorOnly: MessageDifferences;
      heraldOnly: MessageDifferences;
      outsideMonth: MessageDifferences;
      segmentsDiffer: MessageDifferences;
    }
);

export interface Audience {
  id: string;
  name: string;
  channel: string;
  status: string;
  variableColumns: string[];
  rowCount: number;
  invalidCount: number;
  createdAt: string;
}

export interface AudienceErrors {
  errors: Array<{ line: number; reason: string; raw: string | null }>;
  nextAfterLine: number | null;
}

export interface CampaignRun {
  runId: string;
  messageId: string;
  state: string;
  rowsTotal: number;
  rowsStarted: number;
  startedAt: string;
  finishedAt: string | null;
}

export interface Campaign {
  id: string;
  name: string;
  state: string;
  template: string;
  channel: string;
  audienceId: string;
  schedule: { at: string } | { cron: string; timeZone: string };
  createdAt: string;
  temporal?: { paused: boolean; nextActionTimes: string[]; running: string[] } | null;
  runs?: CampaignRun[];
}

export interface RunProgress extends CampaignRun {
  invalidRows: number;
  sends: { total: number; byStatus: Record<string, number> };
}
