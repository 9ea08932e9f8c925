#!/usr/bin/env node
// `herald ...`: the ops CLI. In a checkout (src/ present) it runs the TypeScript through tsx, so it is never
// older than the code; in the image (no src/, no tsx) it runs the build, dist/cli/main.js.
const { existsSync } = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
if (existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  require('../dist/cli/main.js');
}
