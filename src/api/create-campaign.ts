import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { CampaignScheduleSpec } from '../campaigns/campaign-schedule';
import { placeholdersOf } from '../shared/template-render';
import type { Caller } from './caller';
import type { CampaignRequest } from './campaign-schemas';
import { HttpError } from './http-error';
import { assertTemplateSendable } from './template-sendable';
import { findUsableTemplate } from './usable-template';

export interface CheckedCampaign {
  templateId: string;
  audienceId: string;
  schedule: CampaignScheduleSpec;
}

/**
 * The checks a campaign passes before it is stored: a sendable template the
 * team may use, a READY audience of the team on the template's channel with a
 * column for every variable the template uses, and a readable schedule.
 */
export async function checkCampaign(prisma: PrismaClient, config: Pick<Config, 'DEFAULT_TIME_ZONE'>, caller: Caller, request: CampaignRequest, now: Date): Promise<CheckedCampaign> {
  const template = await findUsableTemplate(prisma, { code: request.templateCode }, caller.teamId, 'templateCode');
  assertTemplateSendable(template);

  const audience = await prisma.audience.findFirst({ where: { id: request.audienceId, teamId: caller.teamId } });
  if (!audience) throw new HttpError(404, 'AUDIENCE_NOT_FOUND', `no audience ${request.audienceId}`, { field: 'audienceId' });
  if (audience.status !== 'READY') {
    throw new HttpError(409, 'AUDIENCE_NOT_READY', `audience ${audience.id} is ${audience.status}; only a READY audience can be sent to`, { field: 'audienceId', status: audience.status });
  }
  if (audience.channel !== template.channel) {
    throw new HttpError(400, 'CHANNEL_MISMATCH', `template ${template.code} sends ${template.channel} but the audience holds ${audience.channel} receivers`, {
      field: 'audienceId', reason: `channel ${audience.channel} is not the template's ${template.channel}`,
    });
  }
  const columns = new Set(audience.variableColumns);
  const missing = placeholdersOf(template.content).filter((name) => !columns.has(name));
  if (missing.length > 0) {
    throw new HttpError(400, 'MISSING_COLUMNS', `the audience has no column for template variables: ${missing.join(', ')}`, {
      missing: missing.map((name) => ({ field: 'audienceId', column: name, reason: `template ${template.code} uses {${name}}` })),
    });
  }

  return { templateId: template.id, audienceId: audience.id, schedule: scheduleOf(request.schedule, config.DEFAULT_TIME_ZONE, now) };
}

function scheduleOf(schedule: CampaignRequest['schedule'], defaultZone: string, now: Date): CampaignScheduleSpec {
  if ('at' in schedule) {
    const at = new Date(schedule.at);
    if (at.getTime() <= now.getTime()) {
      throw new HttpError(400, 'INVALID_SCHEDULE', `schedule.at must be in the future (now is ${now.toISOString()})`, { field: 'schedule.at', reason: 'is not in the future' });
    }
    return { at: at.toISOString() };
  }
  return { cron: schedule.cron.trim(), timeZone: schedule.timeZone ?? defaultZone };
}
