import type { PrismaClient, Template } from '../generated/prisma/client';
import { HttpError } from './http-error';
import type { LookupCache } from './lookup-cache';

/** How a caller names a template: by id, or by code (codes are unique per team only). */
export type TemplateRef = { id: string } | { code: string };

/**
 * The template a team may send with: its own, or one shared with it. By code,
 * the team's own template wins; among shared ones with that code, the
 * earliest created (name a shared template by id to be explicit). Another
 * team's template answers 404 TEMPLATE_NOT_FOUND exactly like an unknown one,
 * so nobody can probe which templates exist. Through `cache` (the sending
 * path, API_LOOKUP_CACHE_MS): a changed template reaches it within that time.
 */
export async function findUsableTemplate(prisma: PrismaClient, ref: TemplateRef, teamId: string, field: string, cache?: LookupCache<Template>): Promise<Template> {
  const find = async (): Promise<Template | null> =>
    (await prisma.template.findFirst({ where: { ...ref, teamId } })) ??
    (await prisma.template.findFirst({ where: { ...ref, sharedWith: { some: { teamId } } }, orderBy: { createdAt: 'asc' } }));
  const template = cache ? await cache.get(`${teamId} ${'id' in ref ? `id ${ref.id}` : `code ${ref.code}`}`, find) : await find();
  if (!template) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${'id' in ref ? ref.id : ref.code}`, { field });
  return template;
}
