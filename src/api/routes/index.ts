/**
 * The route table of the HTTP API: every route, in the order express matches
 * them. Each entry is one route's whole contract (method, path, access,
 * request and answer schemas, errors) with its handler: src/api/app.ts
 * registers the table, and the OpenAPI document (src/api/openapi/document.ts)
 * is built from the same entries, so the two cannot disagree
 * (test/integration/openapi.test.ts checks it both ways).
 *
 * To add a route: one `route({...})` entry in the list of its file (or a new
 * file's list, added below); name a new body or answer schema in
 * src/api/openapi/components.ts. docs/api.md, "Adding a route", has the detail.
 */
import { adminAccountRoutes } from '../admin/accounts';
import { adminApiKeyRoutes } from '../admin/api-keys';
import { adminAuditLogRoutes } from '../admin/audit-log';
import { adminRouteRuleRoutes } from '../admin/route-rules';
import { adminTemplateRoutes } from '../admin/templates';
import { consoleRoutes } from '../console/console-routes';
import { docsRoutes } from '../openapi/docs-routes';
import type { ApiOperation } from '../openapi/operation';
import type { ApiRoute } from '../route';
import { accountHealthRoutes } from './account-health';
import { audienceRoutes } from './audiences';
import { billingRoutes } from './billing';
import { campaignRoutes } from './campaigns';
import { diagnoseRoutes } from './diagnose';
import { healthRoutes } from './health';
import { messageListRoutes } from './message-list';
import { messageRoutes } from './messages';
import { receiptRoutes } from './receipts';
import { sendControlRoutes } from './send-control';
import { sendRetryRoutes } from './send-retry';
import { sendRoutes } from './sends';
import { suppressionRoutes } from './suppressions';
import { templateSearchRoutes } from './templates';
import { traceRoutes } from './trace';

export const API_ROUTES: readonly ApiRoute[] = [
  ...healthRoutes,
  ...docsRoutes,
  ...consoleRoutes,
  ...receiptRoutes,
  ...messageRoutes,
  ...messageListRoutes,
  ...sendRoutes,
  ...sendControlRoutes,
  ...suppressionRoutes,
  ...audienceRoutes,
  ...campaignRoutes,
  ...adminTemplateRoutes,
  ...adminAccountRoutes,
  ...adminRouteRuleRoutes,
  ...adminApiKeyRoutes,
  ...adminAuditLogRoutes,
  ...diagnoseRoutes,
  ...traceRoutes,
  ...sendRetryRoutes,
  ...templateSearchRoutes,
  ...accountHealthRoutes,
  ...billingRoutes,
];

/** What the OpenAPI document describes: each route's operation. */
export const API_OPERATIONS: readonly ApiOperation[] = API_ROUTES.map((apiRoute) => apiRoute.operation);
