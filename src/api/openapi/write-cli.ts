/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document (default
 * `openapi.json`) for client generators, without starting Herald or
 * touching a database: the document depends on the code only.
 */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from './document';

const file = process.argv[2] ?? 'openapi.json';
const document = buildOpenApiDocument();
writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${file}: ${Object.keys(document.paths).length} paths, ${Object.keys(document.components.schemas).length} schemas`);
