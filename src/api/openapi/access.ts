import type { z } from 'zod';
import type { Access, ApiOperation } from './operation';

/** Who may call a route (src/api/route.ts puts API-key routes behind their scope). */
export const SEND: Access = { kind: 'api-key', scope: 'send' };
export const OPS: Access = { kind: 'api-key', scope: 'ops' };
export const ADMIN: Access = { kind: 'api-key', scope: 'admin' };
export const PLATFORM: Access = { kind: 'api-key', scope: 'platform' };
export const PUBLIC: Access = { kind: 'public' };
export const RECEIPT_TOKEN: Access = { kind: 'receipt-token' };

/** A 200 with a JSON body. */
export const ok = (description: string, schema: z.ZodType): ApiOperation['answers'] => ({ 200: { description, schema } });

/** A 204 without a body. */
export const REMOVED: ApiOperation['answers'] = { 204: { description: 'removed' } };
