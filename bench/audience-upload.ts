/**
 * `npm run bench:audience` (or `-- --rows 100000`): uploads one generated
 * audience CSV of 1,000,000 rows (0.1 % with a bad number, 0.1 % repeating an
 * earlier receiver) to the API process and prints rows/s and the API's peak
 * resident memory. The CSV is generated as it is sent, never held whole.
 * Nothing here asserts a time.
 */
import http from 'node:http';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { printFigures, round } from './figures';
import { sampleProcess, watchPeakMemory } from './process-stats';
import { startBenchStack } from './stack';

const LINES_PER_CHUNK = 1000;

/** The file, a chunk of lines at a time: `receiver,name,order_no`. */
function* audienceCsv(rows: number): Generator<string> {
  yield 'receiver,name,order_no\n';
  for (let start = 0; start < rows; start += LINES_PER_CHUNK) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + LINES_PER_CHUNK); i += 1) {
      const receiver = i % 1000 === 999 ? '1380013' : `+86139${String(i % 1000 === 500 ? i - 1 : i).padStart(8, '0')}`;
      lines.push(`${receiver},"Customer ${i}, VIP",OA-${i}\n`);
    }
    yield lines.join('');
  }
}

function upload(apiUrl: string, apiKey: string, rows: number): Promise<{ status: number; body: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const request = http.request(new URL('/v1/audiences?name=bench&channel=SMS', apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), bytes }));
    });
    const source = Readable.from(audienceCsv(rows)).on('data', (chunk: string) => {
      bytes += Buffer.byteLength(chunk);
    });
    pipeline(source, request).catch(reject);
  });
}

async function main(): Promise<void> {
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg === -1 ? 1_000_000 : Number(process.argv[rowsArg + 1]);
  console.log(`Audience upload benchmark: ${rows} rows on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const stack = await startBenchStack();
  try {
    const api = await stack.startApi();
    const idleRss = sampleProcess(api.pid).rssMb;
    const peak = watchPeakMemory({ api: api.pid });
    const cpuBefore = sampleProcess(api.pid).cpuSeconds;
    const started = performance.now();
    const answer = await upload(stack.apiUrl, stack.config.SEED_API_KEY, rows);
    const seconds = (performance.now() - started) / 1000;
    const peaks = peak.stop();
    if (answer.status !== 201) throw new Error(`POST /v1/audiences answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    const audience = JSON.parse(answer.body) as { rowCount: number; invalidCount: number };
    printFigures(`Audience upload: ${rows} rows, ${round(answer.bytes / 2 ** 20)} MiB of CSV`, {
      'rows stored': audience.rowCount,
      'rows refused': audience.invalidCount,
      'upload to 201 (s)': round(seconds, 1),
      'rows/s': Math.round(rows / seconds),
      'API CPU (s)': round(sampleProcess(api.pid).cpuSeconds - cpuBefore, 1),
      'API RSS idle (MB)': Math.round(idleRss),
      'API peak RSS (MB)': Math.round(peaks.api ?? 0),
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
