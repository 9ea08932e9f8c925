/**
 * `npm run lint:docs` (part of `npm run lint`): every Markdown file of the
 * repository links only inside it. Each relative link resolves to a file or
 * folder of the repository, each `#anchor` to a heading of its page (GitHub's
 * slugs), no link has a scheme (`https:`, `mailto:`) or leaves the
 * repository, no table cell is longer than a reader can take in, and the
 * README stays short.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';

type Token = MarkdownIt.Token;

/** Longest table cell, in characters: a longer one belongs in prose. */
export const MAX_TABLE_CELL = 300;
/** The README is the front page: what Herald is, the quick start, where to go next. */
export const MAX_README_LINES = 250;

/** Folders that hold no documentation of ours. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.herald', 'coverage', 'generated']);
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

export interface DocProblem {
  file: string;
  line: number;
  message: string;
}

interface Page {
  tokens: Token[];
  anchors: Set<string>;
}

const markdown = new MarkdownIt({ html: true });

/** The problems of every Markdown file under `root`, paths relative to it. */
export function lintDocs(root: string): DocProblem[] {
  const pages = new Map<string, Page>();
  const pageOf = (file: string): Page => {
    let page = pages.get(file);
    if (!page) {
      const tokens = markdown.parse(readFileSync(file, 'utf8'), {});
      page = { tokens, anchors: anchorsOf(tokens) };
      pages.set(file, page);
    }
    return page;
  };

  const problems: DocProblem[] = [];
  for (const file of markdownFiles(root)) {
    const report = (line: number, message: string) => problems.push({ file: path.relative(root, file), line, message });
    const { tokens } = pageOf(file);
    for (const { href, line } of linksOf(tokens)) {
      const problem = linkProblem(root, file, href, pageOf);
      if (problem) report(line, `${href}: ${problem}`);
    }
    for (const { length, line } of tableCellsOf(tokens)) {
      if (length > MAX_TABLE_CELL) report(line, `a table cell of ${length} characters (at most ${MAX_TABLE_CELL}): move the detail into prose`);
    }
  }
  const readme = path.join(root, 'README.md');
  const readmeLines = existsSync(readme) ? readFileSync(readme, 'utf8').split('\n').length : 0;
  if (readmeLines > MAX_README_LINES) problems.push({ file: 'README.md', line: readmeLines, message: `${readmeLines} lines (at most ${MAX_README_LINES}): move the detail into docs/` });
  return problems;
}

/** Why a link is wrong, or null when it resolves inside the repository. */
function linkProblem(root: string, file: string, href: string, pageOf: (file: string) => Page): string | null {
  if (SCHEME.test(href) || href.startsWith('//')) return 'links outside the repository (write an address the reader types as `code`)';
  if (href.startsWith('/')) return 'write a path relative to this page';
  const [rawPath = '', anchor] = href.split('#', 2);
  const target = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
  const inside = path.relative(root, target);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return 'leaves the repository';
  if (!existsSync(target)) return 'no such file';
  if (anchor === undefined || anchor === '') return null;
  if (statSync(target).isDirectory() || !target.endsWith('.md')) return 'an anchor into something that is not a Markdown page';
  return pageOf(target).anchors.has(decodeURIComponent(anchor)) ? null : `no heading #${anchor} in ${path.relative(root, target)}`;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** Every heading's anchor as GitHub makes it: slug of the heading's text, `-1`, `-2` for repeats. */
function anchorsOf(tokens: Token[]): Set<string> {
  const anchors = new Set<string>();
  tokens.forEach((token, index) => {
    const inline = tokens[index + 1];
    if (token.type !== 'heading_open' || !inline) return;
    const slug = githubSlug(plainText(inline));
    let anchor = slug;
    for (let repeat = 1; anchors.has(anchor); repeat += 1) anchor = `${slug}-${repeat}`;
    anchors.add(anchor);
  });
  return anchors;
}

/** GitHub's heading slug: lower case, punctuation and symbols dropped, each space a hyphen. */
function githubSlug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

function plainText(inline: Token): string {
  return (inline.children ?? []).filter((child) => child.type === 'text' || child.type === 'code_inline').map((child) => child.content).join('');
}

/** Links and images of the page, with the line they are on (1-based). */
function linksOf(tokens: Token[]): Array<{ href: string; line: number }> {
  return tokens.flatMap((block) => {
    let line = (block.map?.[0] ?? 0) + 1;
    return (block.children ?? []).flatMap((child) => {
      if (child.type === 'softbreak' || child.type === 'hardbreak') line += 1;
      const href = child.type === 'link_open' ? child.attrGet('href') : child.type === 'image' ? child.attrGet('src') : null;
      return typeof href === 'string' ? [{ href, line }] : [];
    });
  });
}

function tableCellsOf(tokens: Token[]): Array<{ length: number; line: number }> {
  let line = 1;
  return tokens.flatMap((token, index) => {
    if (token.map) line = token.map[0] + 1;
    const inline = tokens[index + 1];
    if ((token.type !== 'td_open' && token.type !== 'th_open') || !inline) return [];
    return [{ length: inline.content.length, line }];
  });
}

if (require.main === module) {
  const problems = lintDocs(path.resolve(__dirname, '..'));
  for (const problem of problems) console.error(`${problem.file}:${problem.line}: ${problem.message}`);
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s) in the Markdown files`);
    process.exitCode = 1;
  }
}
