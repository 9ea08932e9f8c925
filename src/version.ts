import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Herald's version, read from package.json, which sits beside src/ and dist/ alike. */
export const HERALD_VERSION = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'))).version;
