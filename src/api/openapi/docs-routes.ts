import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { openApiDocumentSchema } from '../answers';
import { route, type ApiRoute } from '../route';
import { PUBLIC, ok } from './access';

/** Swagger UI's static bundle, from the swagger-ui-dist package: the docs work without internet. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
export const DOCS_ASSETS_PATH = '/docs/assets';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Herald API</title>
  <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });</script>
</body>
</html>
`;

/**
 * `GET /openapi.json` (the document, built once from the route table) and
 * `GET /docs` (Swagger UI over it). No authentication: the document
 * describes the API and holds no secrets; "Authorize" in the page sends a
 * key only to this server.
 */
export const docsRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/openapi.json',
    tag: 'docs',
    summary: 'This OpenAPI document',
    access: PUBLIC,
    answers: ok('the document', openApiDocumentSchema),
    handler: ({ deps, res }) => {
      res.json(deps.openApiDocument);
    },
  }),
  route({
    method: 'get',
    path: '/docs',
    tag: 'docs',
    summary: 'Interactive API docs (Swagger UI, served from this server)',
    access: PUBLIC,
    answers: { 200: { description: 'the docs page', mediaType: 'text/html' } },
    handler: ({ res }) => {
      res.type('html').send(DOCS_PAGE);
    },
  }),
];

/** Swagger UI's files under DOCS_ASSETS_PATH. */
export function docsAssets(): RequestHandler {
  return express.static(SWAGGER_UI_DIR, { index: false, fallthrough: true });
}
