#!/usr/bin/env node
// Per-file wall time of a jest run, slowest first, from jest's JSON report:
//   npx jest --json --outputFile=/tmp/jest.json && node scripts/test-timings.js /tmp/jest.json [count]
// docs/testing.md lists the slowest files this way.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const [file, count = '10'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/test-timings.js <jest --json output> [count]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const files = report.testResults
  .map((result) => ({ seconds: (result.endTime - result.startTime) / 1000, name: path.relative(process.cwd(), result.name), status: result.status }))
  .sort((a, b) => b.seconds - a.seconds);
const wall = (Math.max(...report.testResults.map((result) => result.endTime)) - report.startTime) / 1000;
const total = files.reduce((sum, f) => sum + f.seconds, 0);
console.log(`${files.length} files, ${report.numPassedTests}/${report.numTotalTests} tests passed; jest wall ${wall.toFixed(0)} s, files together ${total.toFixed(0)} s`);
for (const f of files.slice(0, Number(count))) console.log(`${f.seconds.toFixed(1).padStart(7)} s  ${f.name}${f.status === 'passed' ? '' : `  (${f.status})`}`);
