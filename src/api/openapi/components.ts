import type { z } from 'zod';
import * as adminAnswers from '../admin/answers';
import { createAccountSchema, createRouteRuleSchema, createTemplateSchema, issueApiKeySchema, updateAccountSchema, updateRouteRuleSchema, updateTemplateSchema } from '../admin/schemas';
import * as answers from '../answers';
import * as campaignAnswers from '../campaign-answers';
import { campaignRequestSchema } from '../campaign-schemas';
import { consoleSessionAnswerSchema, consoleSignInSchema } from '../console/console-schemas';
import { adminSuppressionRequestSchema, messageRequestSchema, receiptPushBodySchema, suppressionRequestSchema } from '../schemas';

/**
 * The names the OpenAPI document gives the request and answer schemas
 * (`#/components/schemas/<name>`). Request bodies are described as callers
 * send them (zod input), answers as Herald writes them (zod output), so the
 * two kinds are converted apart.
 */
export const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  MessageRequest: messageRequestSchema,
  CreateTemplate: createTemplateSchema,
  UpdateTemplate: updateTemplateSchema,
  CreateAccount: createAccountSchema,
  UpdateAccount: updateAccountSchema,
  CreateRouteRule: createRouteRuleSchema,
  UpdateRouteRule: updateRouteRuleSchema,
  IssueApiKey: issueApiKeySchema,
  ReceiptPush: receiptPushBodySchema,
  SuppressionRequest: suppressionRequestSchema,
  AdminSuppressionRequest: adminSuppressionRequestSchema,
  CampaignRequest: campaignRequestSchema,
  ConsoleSignIn: consoleSignInSchema,
};

export const ANSWER_SCHEMAS: Record<string, z.ZodType> = {
  Error: answers.errorAnswerSchema,
  Health: answers.healthAnswerSchema,
  Readiness: answers.readinessAnswerSchema,
  AcceptedMessage: answers.acceptedAnswerSchema,
  Send: answers.sendViewSchema,
  Message: answers.messageAnswerSchema,
  MessageList: answers.messageListAnswerSchema,
  MessageSends: answers.messageSendsAnswerSchema,
  AccountHealth: answers.accountHealthAnswerSchema,
  ConsoleSession: consoleSessionAnswerSchema,
  SendDetail: answers.sendDetailAnswerSchema,
  CancelOutcome: answers.cancelAnswerSchema,
  SendNowOutcome: answers.sendNowAnswerSchema,
  MessageCancelOutcome: answers.messageCancelAnswerSchema,
  ReceiptPushAnswer: answers.receiptPushAnswerSchema,
  Diagnosis: answers.diagnosisAnswerSchema,
  Trace: answers.traceAnswerSchema,
  RetryOutcome: answers.retryAnswerSchema,
  TemplateSearch: answers.templateSearchAnswerSchema,
  BillingReport: answers.billingReportAnswerSchema,
  BillComparison: answers.billComparisonAnswerSchema,
  Suppression: answers.suppressionViewSchema,
  SuppressionList: answers.suppressionListAnswerSchema,
  Audience: answers.audienceViewSchema,
  AudienceUpload: answers.audienceUploadAnswerSchema,
  AudienceList: answers.audienceListAnswerSchema,
  AudienceErrors: answers.audienceErrorsAnswerSchema,
  Template: adminAnswers.templateViewSchema,
  TemplateList: adminAnswers.templateListAnswerSchema,
  Account: adminAnswers.accountViewSchema,
  AccountList: adminAnswers.accountListAnswerSchema,
  AccountRoutingHealth: adminAnswers.accountRoutingHealthSchema,
  RouteRule: adminAnswers.routeRuleViewSchema,
  RouteRuleList: adminAnswers.routeRuleListAnswerSchema,
  ApiKey: adminAnswers.apiKeyViewSchema,
  ApiKeyList: adminAnswers.apiKeyListAnswerSchema,
  IssuedApiKey: adminAnswers.issuedApiKeyAnswerSchema,
  AuditLog: adminAnswers.auditLogAnswerSchema,
  Campaign: campaignAnswers.campaignViewSchema,
  CampaignList: campaignAnswers.campaignListAnswerSchema,
  CampaignRunProgress: campaignAnswers.campaignRunProgressSchema,
  OpenApiDocument: answers.openApiDocumentSchema,
};
