/**
 * `npm run config:docs`: writes `.env.example` and docs/configuration.md from
 * the setting declarations (src/config.ts, src/dev-config.ts), the one source
 * of every setting's name, default and description. `--check` (run by
 * `npm run lint`) writes nothing and fails when a committed file is not what
 * the declarations make.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SETTING_SECTIONS } from '../src/config';
import { DEV_SETTING_SECTIONS } from '../src/dev-config';
import type { SettingSection } from '../src/settings';

const ROOT = path.resolve(__dirname, '..');
const SOURCES = '`src/config.ts` and `src/dev-config.ts`';

interface SettingDoc {
  name: string;
  /** The value a process takes when the variable is unset; null when it stays unset. */
  defaultValue: string | null;
  description: string;
  /** The values an enumerated setting takes. */
  choices: string[];
}

/** What one declaration says: its default and choices (as the environment writes them) and its description. */
function settingDoc(name: string, schema: z.ZodType): SettingDoc {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { default?: string | number; enum?: Array<string | number> };
  const description = schema.description;
  if (!description) throw new Error(`${name}: declare it with .describe()`);
  return {
    name,
    defaultValue: json.default === undefined ? null : String(json.default),
    description,
    choices: (json.enum ?? []).map(String),
  };
}

function docsOf(sections: readonly SettingSection[]): Array<{ section: SettingSection; settings: SettingDoc[] }> {
  return sections.map((section) => ({ section, settings: Object.entries(section.settings).map(([name, schema]) => settingDoc(name, schema)) }));
}

function tableCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function markdownSection({ section, settings }: { section: SettingSection; settings: SettingDoc[] }): string {
  const rows = settings.map((setting) => {
    const choices = setting.choices.length > 0 ? ` One of ${setting.choices.map((choice) => `\`${choice}\``).join(', ')}.` : '';
    const defaultValue = setting.defaultValue === null ? 'unset' : setting.defaultValue === '' ? 'empty' : `\`${setting.defaultValue}\``;
    return `| \`${setting.name}\` | ${tableCell(defaultValue)} | ${tableCell(`${setting.description}.${choices}`)} |`;
  });
  return [`## ${section.title}`, '', ...(section.intro ? [section.intro, ''] : []), '| variable | default | what |', '|---|---|---|', ...rows, ''].join('\n');
}

export function configurationPage(): string {
  return [
    '# Configuration',
    '',
    `<!-- Generated from ${SOURCES} by \`npm run config:docs\`: edit the declarations there, not this page. -->`,
    '',
    'Herald reads its settings from the environment; `.env.example` lists every one with its default. A bad',
    "value stops the process at start, naming the variable and why. The API, the worker and `herald migrate`",
    'read the production settings; the development settings further down are read only by `npm run dev`, the',
    'seed and the sandbox vendor, never by a production process.',
    '',
    ...docsOf(SETTING_SECTIONS).map(markdownSection),
    ...docsOf(DEV_SETTING_SECTIONS).map(markdownSection),
    '## Adding a setting',
    '',
    'Declare it once, in its section of `src/config.ts` (a production setting) or `src/dev-config.ts`',
    '(development tools only): the variable name, its zod parser with a default (or `.optional()`) and',
    '`.describe()` with what it does. Read it from `Config` (`deps.config.NAME`), never from `process.env`.',
    'Then run `npm run config:docs`, which writes this page and `.env.example`; `npm run lint` fails while',
    'they are not current. A rule across settings (one that production refuses) is a `.refine` on the schema',
    'in `src/config.ts`, with `test/unit/config.test.ts` beside it.',
    '',
  ].join('\n');
}

function envLines({ section, settings }: { section: SettingSection; settings: SettingDoc[] }): string[] {
  return [
    '',
    `# ---- ${section.title}`,
    ...settings.flatMap((setting) => [
      `# ${setting.description}.${setting.choices.length > 0 ? ` One of: ${setting.choices.join(', ')}.` : ''}`,
      setting.defaultValue === null ? `# ${setting.name}=` : `${setting.name}=${setting.defaultValue}`,
    ]),
  ];
}

export function envExample(): string {
  return [
    `# Every setting Herald reads, with its default. Generated from ${SOURCES.replaceAll('`', '')} by`,
    '# `npm run config:docs`; see docs/configuration.md. Export the ones you change.',
    ...docsOf(SETTING_SECTIONS).flatMap(envLines),
    '',
    '# ======== Development tools only (npm run dev, the seed, the sandbox vendor); production never reads these.',
    ...docsOf(DEV_SETTING_SECTIONS).flatMap(envLines),
    '',
  ].join('\n');
}

const FILES: ReadonlyArray<[file: string, render: () => string]> = [
  ['.env.example', envExample],
  ['docs/configuration.md', configurationPage],
];

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = FILES.filter(([file, render]) => {
    const wanted = render();
    const full = path.join(ROOT, file);
    if (existsSync(full) && readFileSync(full, 'utf8') === wanted) return false;
    if (!check) writeFileSync(full, wanted);
    return true;
  });
  if (check && stale.length > 0) {
    console.error(`${stale.map(([file]) => file).join(' and ')} not generated from the settings: run npm run config:docs`);
    process.exitCode = 1;
  } else if (!check) {
    console.log(stale.length > 0 ? `wrote ${stale.map(([file]) => file).join(', ')}` : 'up to date');
  }
}
