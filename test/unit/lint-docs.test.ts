import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lintDocs, MAX_README_LINES, MAX_TABLE_CELL } from '../../scripts/lint-docs';

/** The Markdown check of `npm run lint`, on a small repository of its own. */
describe('lintDocs', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'herald-docs-'));
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(path.join(root, 'docs', 'guide.md'), '# Guide\n\n## Send states: `SENT`\n\nBack to the [README](../README.md).\n');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const write = (readme: string) => writeFileSync(path.join(root, 'README.md'), readme);
  const messages = () => lintDocs(root).map((problem) => `${problem.file}:${problem.line}: ${problem.message}`);

  it('takes links to files, folders and GitHub heading anchors inside the repository', () => {
    write('# Herald\n\nSee [the guide](docs/guide.md#send-states-sent), [docs](docs/) and [above](#herald).\n');
    expect(messages()).toEqual([]);
  });

  it('names each link that does not resolve or leaves the repository', () => {
    write(['# Herald', '', '[gone](docs/gone.md)', '[anchor](docs/guide.md#nowhere)', '[web](https://example.com)', '[design](../shared/design.md)', '[root](/docs/guide.md)', ''].join('\n'));
    expect(messages()).toEqual([
      'README.md:3: docs/gone.md: no such file',
      'README.md:4: docs/guide.md#nowhere: no heading #nowhere in docs/guide.md',
      'README.md:5: https://example.com: links outside the repository (write an address the reader types as `code`)',
      'README.md:6: ../shared/design.md: leaves the repository',
      'README.md:7: /docs/guide.md: write a path relative to this page',
    ]);
  });

  it('refuses a table cell longer than a reader takes in, and a long README', () => {
    write(['# Herald', '', '| a | b |', '|---|---|', `| x | ${'y'.repeat(MAX_TABLE_CELL + 1)} |`, ...Array.from({ length: MAX_README_LINES }, () => '')].join('\n'));
    expect(messages()).toEqual([
      `README.md:5: a table cell of ${MAX_TABLE_CELL + 1} characters (at most ${MAX_TABLE_CELL}): move the detail into prose`,
      `README.md:${MAX_README_LINES + 5}: ${MAX_README_LINES + 5} lines (at most ${MAX_README_LINES}): move the detail into docs/`,
    ]);
  });
});
