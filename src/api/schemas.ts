import { z } from 'zod';

/** Postgres text cannot hold NUL; refuse it as bad input instead of failing on insert. */
export const noNul = (text: string) => !text.includes('\u0000');
export const NUL_MESSAGE = 'must not contain the NUL character';

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
