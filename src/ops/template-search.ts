import type { PrismaClient } from '../generated/prisma/client';
import { coarseTerms, matchTemplate, type TemplateMatch } from './template-match';

/** How far back "callers that used it recently" looks. */
const RECENT_DAYS = 30;
/** Templates the database may hand over for the exact check; more means the text is too common a phrase. */
const MAX_CANDIDATES = 500;
const MAX_RESULTS = 20;

export interface TemplateSearchHit extends TemplateMatch {
  template: { id: string; code: string; name: string; channel: string; status: string; content: string };
  team: string;
  /** API keys that sent with this template in the last RECENT_DAYS days, busiest first. */
  callers: Array<{ apiKeyId: string; name: string; team: string; messages: number; lastUsedAt: Date | null }>;
}

/**
 * Templates whose content could have produced `text`. Postgres picks the
 * candidates (content contains one of the text's words); matchTemplate
 * decides; the best matches come first.
 */
export async function searchTemplates(prisma: PrismaClient, text: string, now: Date): Promise<TemplateSearchHit[]> {
  const terms = coarseTerms(text);
  if (terms.length === 0) return [];
  const candidates = await prisma.template.findMany({
    where: { OR: terms.map((term) => ({ content: { contains: term, mode: 'insensitive' as const } })) },
    include: { team: { select: { name: true } } },
    take: MAX_CANDIDATES,
  });
  const matched = candidates
    .map((template) => ({ template, match: matchTemplate(template.content, text) }))
    .filter((c): c is { template: (typeof candidates)[number]; match: TemplateMatch } => c.match !== null)
    .sort((a, b) => Number(b.match.exact) - Number(a.match.exact) || b.match.matchedChars - a.match.matchedChars)
    .slice(0, MAX_RESULTS);
  if (matched.length === 0) return [];

  const since = new Date(now.getTime() - RECENT_DAYS * 24 * 60 * 60 * 1000);
  const usage = await prisma.message.groupBy({
    by: ['templateId', 'apiKeyId'],
    where: { templateId: { in: matched.map((m) => m.template.id) }, createdAt: { gte: since } },
    _count: { _all: true },
    _max: { createdAt: true },
  });
  const keys = await prisma.apiKey.findMany({
    where: { id: { in: [...new Set(usage.map((u) => u.apiKeyId))] } },
    select: { id: true, name: true, team: { select: { name: true } } },
  });

  return matched.map(({ template, match }) => ({
    ...match,
    template: { id: template.id, code: template.code, name: template.name, channel: template.channel, status: template.status, content: template.content },
    team: template.team.name,
    callers: usage
      .filter((u) => u.templateId === template.id)
      .sort((a, b) => b._count._all - a._count._all)
      .map((u) => {
        const key = keys.find((k) => k.id === u.apiKeyId);
        return { apiKeyId: u.apiKeyId, name: key?.name ?? '?', team: key?.team.name ?? '?', messages: u._count._all, lastUsedAt: u._max.createdAt };
      }),
  }));
}
