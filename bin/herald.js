#!/usr/bin/env node
// `npx herald ...`: the ops CLI. Runs the TypeScript through tsx (a runtime dependency), so there is no build step.
require('tsx/cjs');
require('../src/cli/main.ts');
