import path from 'node:path';
import express, { Router } from 'express';
import { buildOpenApiDocument } from './document';

/** Swagger UI's static bundle, from the swagger-ui-dist package: the docs work without internet. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = '/docs/assets';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Herald API</title>
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });</script>
</body>
</html>
`;

/**
 * `GET /openapi.json` (the document, built once) and `GET /docs` (Swagger UI
 * over it). No authentication: the document describes the API and holds no
 * secrets; "Authorize" in the page sends a key only to this server.
 */
export function apiDocsRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument();

  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.use(ASSETS, express.static(SWAGGER_UI_DIR, { index: false, fallthrough: true }));

  return router;
}
