import http from 'node:http';
import { parse } from 'csv-parse/sync';
import { createCaller, type TestCaller } from '../support/callers';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** A valid Chinese mobile number for row `i` (0 ≤ i < 10,000,000), as a person would type it. */
const phone = (i: number) => `138 ${String(i).padStart(8, '0').slice(0, 4)} ${String(i).padStart(8, '0').slice(4)}`;
const e164 = (i: number) => `+86138${String(i).padStart(8, '0')}`;

/** Audiences against the real Postgres: the API streams the CSV in and stores it row by row. */
describe('audiences (CSV upload)', () => {
  let herald: RunningHerald;
  let otherTeam: TestCaller;
  let opsOnly: TestCaller;

  beforeAll(async () => {
    herald = await startHerald({ AUDIENCE_MAX_ROWS: '12000', AUDIENCE_MAX_BYTES: '1000000' });
    otherTeam = await createCaller(herald.deps.prisma, 'audience-other-team', ['send']);
    opsOnly = await createCaller(herald.deps.prisma, 'demo', ['ops']);
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  const upload = (csv: string, query = 'name=test&channel=SMS', headers: Record<string, string> = {}) =>
    herald.request('POST', `/v1/audiences?${query}`, csv, { 'content-type': 'text/csv', ...headers });
  const audienceCount = () => herald.deps.prisma.audience.count();
  const storedRows = async () => (await herald.deps.prisma.audienceRow.count()) + (await herald.deps.prisma.audienceError.count());

  it('stores 9,997 of 10,000 rows and reports the 3 malformed ones with their lines and reasons', async () => {
    const lines = ['receiver,name,order_no'];
    for (let i = 0; i < 10_000; i += 1) lines.push(`${phone(i)},Customer ${i},OA-${i}`);
    lines[1234] = '1380013,Customer 1233,OA-1233'; // line 1235: bad number
    lines[5000] = `${phone(4999)},Customer 4999`; // line 5001: missing field
    lines[9999] = `${phone(9998)},,OA-9998`; // line 10000: empty variable
    const answer = await upload(`${lines.join('\r\n')}\r\n`, 'name=november%20buyers&channel=SMS');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: 'november buyers', channel: 'SMS', status: 'READY', variableColumns: ['name', 'order_no'], rowCount: 9_997, invalidCount: 3 });
    expect(answer.body.errors).toEqual([
      { line: 1235, reason: 'receiver is not a valid phone number' },
      { line: 5001, reason: 'has 2 fields, the header has 3' },
      { line: 10_000, reason: 'name is empty' },
    ]);
    const id: string = answer.body.id;
    expect(answer.body.errorsUrl).toBe(`/v1/audiences/${id}/errors`);

    const { prisma } = herald.deps;
    expect(await prisma.audienceRow.count({ where: { audienceId: id } })).toBe(9_997);
    // Rows keep their file line (header = 1), the receiver normalised, the variables by column.
    expect(await prisma.audienceRow.findUnique({ where: { audienceId_line: { audienceId: id, line: 2 } } })).toMatchObject({ receiver: e164(0), variables: { name: 'Customer 0', order_no: 'OA-0' } });
    expect(await prisma.audienceRow.findUnique({ where: { audienceId_line: { audienceId: id, line: 10_001 } } })).toMatchObject({ receiver: e164(9_999), variables: { name: 'Customer 9999', order_no: 'OA-9999' } });
    expect(await prisma.audienceRow.findUnique({ where: { audienceId_line: { audienceId: id, line: 1235 } } })).toBeNull();
    expect(await prisma.audienceError.findMany({ where: { audienceId: id }, orderBy: { line: 'asc' }, select: { line: true, raw: true } })).toEqual([
      { line: 1235, raw: '1380013,Customer 1233,OA-1233' },
      { line: 5001, raw: `${phone(4999)},Customer 4999` },
      { line: 10_000, raw: `${phone(9998)},,OA-9998` },
    ]);

    // The errors, paged by line, and all of them as CSV.
    const first = await herald.request('GET', `/v1/audiences/${id}/errors?limit=2`);
    expect(first.body).toEqual({
      audienceId: id,
      errors: [
        { line: 1235, reason: 'receiver is not a valid phone number', raw: '1380013,Customer 1233,OA-1233' },
        { line: 5001, reason: 'has 2 fields, the header has 3', raw: `${phone(4999)},Customer 4999` },
      ],
      nextAfterLine: 5001,
    });
    const second = await herald.request('GET', `/v1/audiences/${id}/errors?limit=2&afterLine=5001`);
    expect(second.body).toMatchObject({ errors: [{ line: 10_000 }], nextAfterLine: null });
    const beyondInt = await herald.request('GET', `/v1/audiences/${id}/errors?afterLine=99999999999`);
    expect(beyondInt.status).toBe(400);
    expect(JSON.stringify(beyondInt.body.error)).toContain('afterLine');
    const csv = await fetch(`${herald.baseUrl}/v1/audiences/${id}/errors`, { headers: { authorization: `Bearer ${herald.apiKey}`, accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(parse(await csv.text())).toEqual([
      ['line', 'reason', 'raw'],
      ['1235', 'receiver is not a valid phone number', '1380013,Customer 1233,OA-1233'],
      ['5001', 'has 2 fields, the header has 3', `${phone(4999)},Customer 4999`],
      ['10000', 'name is empty', `${phone(9998)},,OA-9998`],
    ]);

    const view = await herald.request('GET', `/v1/audiences/${id}`);
    expect(view.body).toMatchObject({ id, status: 'READY', rowCount: 9_997, invalidCount: 3 });
    expect(view.body.finishedAt).not.toBeNull();
  });

  it('numbers rows by the file line they start on, through quoted commas and line breaks', async () => {
    const csv = ['name,receiver,note', '"Li, Wei",13800000001,"line one', 'line two"', '', 'Wang,"138 0000 0002","say ""hi"""', 'Zhao,13800000003,plain'].join('\n');
    const answer = await upload(csv, 'name=quoted&channel=SMS');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ rowCount: 3, invalidCount: 0, variableColumns: ['name', 'note'] });
    const rows = await herald.deps.prisma.audienceRow.findMany({ where: { audienceId: answer.body.id }, orderBy: { line: 'asc' }, select: { line: true, receiver: true, variables: true } });
    expect(rows).toEqual([
      { line: 2, receiver: '+8613800000001', variables: { name: 'Li, Wei', note: 'line one\nline two' } },
      { line: 5, receiver: '+8613800000002', variables: { name: 'Wang', note: 'say "hi"' } },
      { line: 6, receiver: '+8613800000003', variables: { name: 'Zhao', note: 'plain' } },
    ]);
  });

  it('refuses a later row with a receiver seen before as "duplicate of line N", within a batch and across batches', async () => {
    const lines = ['receiver,name'];
    for (let i = 0; i < 2_500; i += 1) lines.push(`${phone(100_000 + i)},n${i}`);
    lines[300] = `+86${phone(100_003).replace(/ /g, '')},again`; // line 301 repeats line 5 (another format), same batch
    lines[2_400] = `${phone(100_003)},again`; // line 2401 repeats line 5, a later batch
    lines[2_450] = `${phone(102_398)},again`; // line 2451 repeats line 2400, same (third) batch
    const answer = await upload(lines.join('\n'), 'name=dups&channel=SMS');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ rowCount: 2_497, invalidCount: 3 });
    expect(answer.body.errors).toEqual([
      { line: 301, reason: 'duplicate of line 5' },
      { line: 2401, reason: 'duplicate of line 5' },
      { line: 2451, reason: 'duplicate of line 2400' },
    ]);
  });

  it.each([
    ['an empty file', '', 'EMPTY_FILE', 'the file is empty'],
    ['no receiver column', 'phone,name\n13800000001,Li\n', 'INVALID_HEADER', 'header (line 1): no receiver column: name the column of receivers "receiver" (rename "phone" to "receiver")'],
    ['a duplicate column', 'receiver,name,name\n13800000001,Li,Li\n', 'INVALID_HEADER', 'header (line 1): column name "name" appears twice (columns 2 and 3)'],
    ['a header only', 'receiver,name\r\n', 'NO_ROWS', 'the file has a header but no data rows'],
  ])('refuses %s with a 400 naming the problem, and stores nothing', async (_what, csv, code, message) => {
    const before = [await audienceCount(), await storedRows()];
    const answer = await upload(csv);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toContain(message);
    expect([await audienceCount(), await storedRows()]).toEqual(before);
  });

  it('refuses broken CSV and a file over AUDIENCE_MAX_ROWS or AUDIENCE_MAX_BYTES after rows were written, and keeps none of them', async () => {
    const before = [await audienceCount(), await storedRows()];
    const good = Array.from({ length: 3_000 }, (_, i) => `${phone(200_000 + i)},n`).join('\n');
    const broken = await upload(`receiver,name\n${good}\n13800000009,"never closed\n13800000010,x\n`);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ code: 'INVALID_CSV', details: { line: 3_002, reason: 'a quoted field starting in this record is never closed' } });
    const tooMany = Array.from({ length: 12_001 }, (_, i) => `${phone(300_000 + i)},n`).join('\n');
    const large = await upload(`receiver,name\n${tooMany}\n`);
    expect(large.status).toBe(413);
    expect(large.body.error).toMatchObject({ code: 'AUDIENCE_TOO_LARGE', details: { limit: 12_000 } });
    // Fewer rows than the row limit, but 1.3 MB: over AUDIENCE_MAX_BYTES (1,000,000 here).
    const wide = Array.from({ length: 5_000 }, (_, i) => `${phone(400_000 + i)},${'n'.repeat(250)}`).join('\n');
    // The answer comes while the client still sends, and the server may then close: read it with node's http.
    const heavy = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${herald.baseUrl}/v1/audiences?name=heavy&channel=SMS`, {
        // Its own connection: one the server may close mid-body must not go back to the shared pool.
        method: 'POST', agent: false, headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'text/csv' },
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject); // after the answer a reset is harmless: the promise is settled by then
      request.end(`receiver,name\n${wide}\n`);
    });
    expect(heavy.status).toBe(413);
    expect(JSON.parse(heavy.body).error).toMatchObject({ code: 'AUDIENCE_TOO_LARGE', message: 'the file has more than 1000000 bytes (AUDIENCE_MAX_BYTES)', details: { limit: 1_000_000 } });
    expect([await audienceCount(), await storedRows()]).toEqual(before);
    expect((await upload('receiver\n13800000001\n', 'name=x&channel=FAX')).status).toBe(400);
    expect((await upload('receiver\n13800000001\n', 'channel=SMS')).status).toBe(400);
    expect((await upload('receiver\n13800000001\n', 'name=x&channel=SMS', { 'content-type': 'application/octet-stream' })).status).toBe(415);
  });

  it("normalises receivers for the audience's channel", async () => {
    const answer = await upload('receiver,name\nLi@Example.COM,Li\nnot-an-email,X\n', 'name=mail&channel=EMAIL');
    expect(answer.body).toMatchObject({ channel: 'EMAIL', rowCount: 1, invalidCount: 1, errors: [{ line: 3, reason: 'receiver is not a valid e-mail address' }] });
    expect(await herald.deps.prisma.audienceRow.findMany({ where: { audienceId: answer.body.id }, select: { receiver: true } })).toEqual([{ receiver: 'li@example.com' }]);
  });

  it("is the team's own: another team cannot list, read, page or delete it; a key without send scope cannot upload", async () => {
    const mine = await upload('receiver,name\n13800000021,Li\n', 'name=private&channel=SMS');
    const id: string = mine.body.id;
    const theirs = await herald.request('POST', '/v1/audiences?name=theirs&channel=SMS', 'receiver\n13800000022\n', { ...otherTeam.auth, 'content-type': 'text/csv' });
    expect(theirs.status).toBe(201);
    const listed = await herald.request('GET', '/v1/audiences', undefined, otherTeam.auth);
    expect((listed.body.audiences as Array<{ id: string }>).map((a) => a.id)).toEqual([theirs.body.id]);
    expect((await herald.request('GET', `/v1/audiences/${id}`, undefined, otherTeam.auth)).status).toBe(404);
    expect((await herald.request('GET', `/v1/audiences/${id}/errors`, undefined, otherTeam.auth)).status).toBe(404);
    expect((await herald.request('DELETE', `/v1/audiences/${id}`, undefined, otherTeam.auth)).status).toBe(404);
    expect((await herald.request('POST', '/v1/audiences?name=x&channel=SMS', 'receiver\n13800000023\n', { ...opsOnly.auth, 'content-type': 'text/csv' })).status).toBe(403);
    expect((await herald.request('GET', '/v1/audiences')).body.audiences.map((a: { id: string }) => a.id)).toContain(id);

    expect((await herald.request('DELETE', `/v1/audiences/${id}`)).status).toBe(204);
    expect((await herald.request('GET', `/v1/audiences/${id}`)).status).toBe(404);
    expect(await herald.deps.prisma.audienceRow.count({ where: { audienceId: id } })).toBe(0);
  });

  it('leaves an upload the client aborts FAILED, never READY', async () => {
    const url = new URL('/v1/audiences?name=aborted&channel=SMS', herald.baseUrl);
    const request = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } });
    request.on('error', () => undefined);
    request.write('receiver,name\n');
    for (let i = 0; i < 3_000; i += 1) request.write(`${phone(400_000 + i)},n\n`);
    const audience = await eventually(async () => {
      const found = await herald.deps.prisma.audience.findFirst({ where: { name: 'aborted' } });
      return found && (await herald.deps.prisma.audienceRow.count({ where: { audienceId: found.id } })) > 0 ? found : undefined;
    });
    expect(audience.status).toBe('UPLOADING');
    request.destroy();
    const failed = await eventually(async () => {
      const row = await herald.deps.prisma.audience.findUniqueOrThrow({ where: { id: audience.id } });
      return row.status === 'UPLOADING' ? undefined : row;
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.finishedAt).not.toBeNull();
    expect((await herald.request('GET', `/v1/audiences/${audience.id}`)).body.status).toBe('FAILED');
  });
});
