import { Router } from 'express';
import { searchTemplates } from '../../ops/template-search';
import { templateSearchAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { templateSearchQuerySchema } from '../schemas';
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';

/** "Who sent this text?": every team's templates, for ops. */
export function templatesRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/templates/search', requireScope('ops'), async (req, res) => {
    const { text } = parseOr400(templateSearchQuerySchema, req.query, 'query');
    res.json({ text, matches: await searchTemplates(deps.prisma, text, new Date()) } satisfies AnswerOf<typeof templateSearchAnswerSchema>);
  });

  return router;
}
