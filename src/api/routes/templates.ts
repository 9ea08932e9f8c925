import { searchTemplates } from '../../ops/template-search';
import { templateSearchAnswerSchema, type AnswerOf } from '../answers';
import { templateSearchQuerySchema } from '../schemas';
import { route, type ApiRoute } from '../route';
import { OPS, ok } from '../openapi/access';

/** "Who sent this text?": every team's templates, for ops. */
export const templateSearchRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/templates/search',
    tag: 'ops',
    summary: 'Which template could have produced this text?',
    access: OPS,
    query: templateSearchQuerySchema,
    answers: ok('the matching templates, best first, with their recent callers', templateSearchAnswerSchema),
    handler: async ({ deps, res, query }) => {
      const { text } = query;
      res.json({ text, matches: await searchTemplates(deps.prisma, text, new Date()) } satisfies AnswerOf<typeof templateSearchAnswerSchema>);
    },
  }),
];
