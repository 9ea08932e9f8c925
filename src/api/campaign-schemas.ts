import { z } from 'zod';
import { isTimeZone } from '../billing/billing-month';
import { noNul, NUL_MESSAGE } from './schemas';

const onceAt = z.object({ at: z.iso.datetime({ offset: true }).meta({ description: 'once, at this time (ISO 8601 with offset); in the future' }) }).strict();

const recurring = z
  .object({
    cron: z
      .string()
      .min(1)
      .max(200)
      .refine(noNul, NUL_MESSAGE)
      .meta({ description: 'cron: 5 fields (minute hour day month weekday), 7 with seconds and year (second minute hour day month weekday year), or `@every 30m`, `@daily`, ...' }),
    timeZone: z.string().refine(isTimeZone, 'is not an IANA time zone').optional().meta({ description: 'IANA zone the cron is read in; default DEFAULT_TIME_ZONE' }),
  })
  .strict();

/** `POST /v1/campaigns`. */
export const campaignRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(200).refine(noNul, NUL_MESSAGE),
    templateCode: z.string().min(1).max(200),
    audienceId: z.uuid(),
    schedule: z.union([onceAt, recurring], { error: 'must be {"at": ISO time} or {"cron": "...", "timeZone": "..."}' }),
  })
  .strict();

export type CampaignRequest = z.infer<typeof campaignRequestSchema>;

/** `/v1/campaigns/:id/runs/:runId`. */
export const campaignRunParamsSchema = z.object({ id: z.uuid(), runId: z.uuid() });
