import { z } from 'zod';

/** Postgres text cannot hold NUL; refuse it as bad input instead of failing on insert. */
const noNul = (text: string) => !text.includes('\u0000');
const NUL_MESSAGE = 'must not contain the NUL character';

const variableValue = z.union([z.string().max(1000).refine(noNul, NUL_MESSAGE), z.number().finite()]);

/** `POST /v1/messages`. Receivers arrive as text, exactly as the caller wrote them. */
export const messageRequestSchema = z
  .object({
    templateId: z.uuid().optional(),
    templateCode: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE).optional(),
    receivers: z.array(z.string().max(320).refine(noNul, NUL_MESSAGE)).min(1),
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'), variableValue).default({}),
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
