import { Readable } from 'node:stream';
import { CsvUnreadable, UploadBrokeOff } from '../../src/audiences/audience-errors';
import { readAudienceHeader, type AudienceHeader } from '../../src/audiences/audience-header';
import { checkAudienceRow, type RowRules } from '../../src/audiences/audience-row';
import { readFileRecords, type FileRecord, type UploadBody } from '../../src/audiences/csv-file-records';

function header(fields: string[]): AudienceHeader {
  const check = readAudienceHeader(fields);
  if (!check.ok) throw new Error(check.reason);
  return check.header;
}

describe('readAudienceHeader', () => {
  it('finds the receiver column anywhere (any case, trimmed) and the variable columns in file order', () => {
    expect(readAudienceHeader(['name', ' Receiver ', 'order_no'])).toEqual({
      ok: true,
      header: { width: 3, receiverIndex: 1, variableColumns: [{ name: 'name', index: 0 }, { name: 'order_no', index: 2 }] },
    });
    expect(readAudienceHeader(['receiver'])).toEqual({ ok: true, header: { width: 1, receiverIndex: 0, variableColumns: [] } });
  });

  it.each([
    [['phone', 'name'], 'no receiver column: name the column of receivers "receiver" (rename "phone" to "receiver")'],
    [['name', 'order'], 'no receiver column: name the column of receivers "receiver"'],
    [['receiver', 'RECEIVER'], 'more than one receiver column (columns 1 and 2)'],
    [['receiver', 'name', 'name'], 'column name "name" appears twice (columns 2 and 3)'],
    [['receiver', ''], 'column 2 has no name'],
    [['receiver', 'order no'], 'column 2 "order no": variable names are letters, digits and _, not starting with a digit, at most 64'],
    [['receiver', '1st'], 'column 2 "1st": variable names are letters, digits and _, not starting with a digit, at most 64'],
    [['receiver', '__proto__'], 'column 2 "__proto__" is a reserved name'],
    [['receiver', 'na\uFFFDme'], 'the header is not UTF-8 text: save the file as "CSV UTF-8"'],
  ])('refuses %j', (fields, reason) => {
    expect(readAudienceHeader(fields)).toEqual({ ok: false, reason });
  });

  it('refuses more than 100 variable columns', () => {
    expect(readAudienceHeader(['receiver', ...Array.from({ length: 101 }, (_, i) => `v${i}`)])).toEqual({ ok: false, reason: 'more than 100 variable columns' });
  });
});

describe('checkAudienceRow', () => {
  const rules: RowRules = { header: header(['receiver', 'name', 'order']), channel: 'SMS', region: 'CN' };

  it('normalises the receiver for the channel and keeps the variables as written', () => {
    expect(checkAudienceRow(['138 0013 8000', ' Li ', 'A,1\nB'], rules)).toEqual({ ok: true, receiver: '+8613800138000', variables: { name: ' Li ', order: 'A,1\nB' } });
    const email: RowRules = { header: header(['name', 'receiver']), channel: 'EMAIL', region: 'CN' };
    expect(checkAudienceRow(['Li', 'Li@Example.COM'], email)).toEqual({ ok: true, receiver: 'li@example.com', variables: { name: 'Li' } });
  });

  it('refuses a row with the wrong number of fields', () => {
    expect(checkAudienceRow(['13800138000', 'Li'], rules)).toEqual({ ok: false, reason: 'has 2 fields, the header has 3' });
    expect(checkAudienceRow(['13800138000', 'Li', 'A', 'extra'], rules)).toEqual({ ok: false, reason: 'has 4 fields, the header has 3' });
  });

  it('names every problem of a row, never its values', () => {
    expect(checkAudienceRow(['1380013', '', 'A'], rules)).toEqual({ ok: false, reason: 'receiver is not a valid phone number; name is empty' });
    expect(checkAudienceRow(['13800138000', '  ', 'A\u0007'], rules)).toEqual({ ok: false, reason: 'name is empty; order must not contain control characters (line break and tab are allowed)' });
    expect(checkAudienceRow(['13800138000', 'x'.repeat(1001), 'A'], rules)).toEqual({ ok: false, reason: 'name must be at most 1000 characters' });
    expect(checkAudienceRow(['13800138000', 'Li\uFFFD', 'A'], rules)).toEqual({ ok: false, reason: 'name is not UTF-8 text (save the file as "CSV UTF-8")' });
    expect(checkAudienceRow(['+86138\t00138000', 'Li', 'A'], rules)).toEqual({ ok: false, reason: 'receiver contains a tab at position 7' });
  });
});

/** A body in the chunks given, complete unless said otherwise. */
function body(chunks: string[], complete = true): UploadBody {
  return Object.assign(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), { complete });
}

async function records(chunks: string[], complete = true): Promise<FileRecord[]> {
  const read: FileRecord[] = [];
  for await (const record of readFileRecords(body(chunks, complete), 1024)) read.push(record);
  return read;
}

describe('readFileRecords', () => {
  it('gives each record the file line it starts on, across quoted line breaks (LF, CRLF, CR), blank lines and chunk boundaries', async () => {
    const file = 'receiver,note\r\n1,"a\r\nb"\r\n2,b\r\n\r\n3,"x\ny\rz"\n4,"q,""r"""\r5,e';
    const expected = [
      { line: 1, fields: ['receiver', 'note'] },
      { line: 2, fields: ['1', 'a\r\nb'] },
      { line: 4, fields: ['2', 'b'] },
      { line: 6, fields: ['3', 'x\ny\rz'] },
      { line: 9, fields: ['4', 'q,"r"'] },
      { line: 10, fields: ['5', 'e'] },
    ];
    expect(await records([file])).toEqual(expected);
    // The same file cut at every position into two chunks (a CRLF or a quote split between them).
    for (let cut = 1; cut < file.length; cut += 1) expect(await records([file.slice(0, cut), file.slice(cut)])).toEqual(expected);
  });

  it('drops a byte order mark and keeps stray quotes as text (relax_quotes)', async () => {
    expect(await records(['\uFEFFreceiver,name\n1,O"Neil\n2,"a"b\n'])).toEqual([
      { line: 1, fields: ['receiver', 'name'] },
      { line: 2, fields: ['1', 'O"Neil'] },
      { line: 3, fields: ['2', '"a"b'] },
    ]);
  });

  it('stops at broken CSV with the line of the record it breaks, after the records before it', async () => {
    const read: number[] = [];
    const lines = Array.from({ length: 40 }, (_, i) => `${i},v`).join('\r\n');
    const unclosed = readFileRecords(body([`receiver,name\r\n${lines}\r\n40,"a\r\nb\r\n41,c\r\n`]), 1024);
    await expect((async () => {
      for await (const record of unclosed) read.push(record.line);
    })()).rejects.toEqual(new CsvUnreadable(42, 'a quoted field starting in this record is never closed'));
    expect(read).toHaveLength(41);
    await expect(records([`receiver,name\n1,a\n2,"${'x'.repeat(2000)}"\n`])).rejects.toEqual(new CsvUnreadable(3, 'the record is longer than 1024 bytes (an unclosed quote?)'));
  });

  it('reports a body that ends before it is complete', async () => {
    await expect(records(['receiver,name\n1,a\n'], false)).rejects.toBeInstanceOf(UploadBrokeOff);
  });
});
