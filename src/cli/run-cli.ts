import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { ApiTarget } from './api-client';
import { audienceUploadCommand } from './commands/audience-upload';
import { diagnoseCommand } from './commands/diagnose';
import { migrateCommand } from './commands/migrate';
import { reportBillingCommand } from './commands/report-billing';
import { DEFAULT_SANDBOX_URL, isFaultKind, sandboxCommand } from './commands/sandbox';
import { sendCommand } from './commands/send';
import { sendRetryCommand } from './commands/send-retry';
import { traceCommand } from './commands/trace';
import { EXIT, UsageError, type ExitCode } from './exit-codes';
import { FAULT_KINDS } from '../sandbox/faults';
import type { Output } from './output';

const USAGE = `usage: herald <command> [options]

  herald diagnose <receiver> [--from <iso>] [--to <iso>]   why did this receiver (not) get the message?
  herald trace <sendId>                                    every event of one send, in order
  herald send --template <code> --to <receiver> [--to ...] [--var name=value ...]
  herald send retry <sendId>                               re-run a FAILED, EXPIRED or UNDELIVERED send (ops scope)
  herald report billing <YYYY-MM> [--account <name>] [--by-day] [--csv]   sends, billed segments, receipts per vendor account
  herald audience upload <file.csv> --name <name> --channel <SMS|EMAIL|CHAT>   store a receiver list (send scope)
  herald migrate                                           create the database if needed and apply pending migrations
  herald sandbox fail <fault> [--count <n>] [--always] [--timeout-ms <ms>] [--factor <n>]   the sandbox vendor's next send calls fail
  herald sandbox clear | faults                            drop every fault | show them

environment: HERALD_URL (default http://127.0.0.1:3000), HERALD_API_KEY (required); migrate reads DATABASE_URL;
  sandbox reads HERALD_SANDBOX_URL (default ${DEFAULT_SANDBOX_URL})
exit codes: 0 found / delivered / accepted, 1 not delivered / not found / refused / unreachable, 2 usage`;

/** Runs one command line; the exit code is the answer for scripts. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, output: Output): Promise<ExitCode> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      output.out(USAGE);
      return command === undefined ? EXIT.USAGE : EXIT.OK;
    }
    switch (command) {
      case 'diagnose': {
        const { values, positionals } = parse(rest, { from: { type: 'string' }, to: { type: 'string' } });
        return await diagnoseCommand(targetOf(env), onePositional(positionals, 'receiver'), { from: stringOption(values.from), to: stringOption(values.to) }, output);
      }
      case 'trace': {
        const { positionals } = parse(rest, {});
        return await traceCommand(targetOf(env), onePositional(positionals, 'sendId'), output);
      }
      case 'send': {
        if (rest[0] === 'retry') {
          const { positionals } = parse(rest.slice(1), {});
          return await sendRetryCommand(targetOf(env), onePositional(positionals, 'sendId'), output);
        }
        const { values, positionals } = parse(rest, { template: { type: 'string' }, to: { type: 'string', multiple: true }, var: { type: 'string', multiple: true } });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0] ?? ''}`);
        const templateCode = stringOption(values.template);
        const receivers = listOption(values.to);
        if (!templateCode) throw new UsageError('send needs --template <code>');
        if (receivers.length === 0) throw new UsageError('send needs at least one --to <receiver>');
        return await sendCommand(targetOf(env), { templateCode, receivers, variables: variablesOf(listOption(values.var)) }, output);
      }
      case 'report': {
        const { values, positionals } = parse(rest, { account: { type: 'string' }, 'by-day': { type: 'boolean' }, csv: { type: 'boolean' } });
        const [report, month, ...extra] = positionals;
        if (report !== 'billing') throw new UsageError(`unknown report ${report ?? ''}; try: herald report billing <YYYY-MM>`);
        if (!month || extra.length > 0) throw new UsageError('give exactly one <YYYY-MM> month');
        return await reportBillingCommand(targetOf(env), month, { account: stringOption(values.account), byDay: values['by-day'] === true, csv: values.csv === true }, output);
      }
      case 'audience': {
        const { values, positionals } = parse(rest, { name: { type: 'string' }, channel: { type: 'string' } });
        const [action, file, ...extra] = positionals;
        if (action !== 'upload') throw new UsageError(`unknown audience action ${action ?? ''}; try: herald audience upload <file.csv> --name <name> --channel SMS`);
        if (!file || extra.length > 0) throw new UsageError('give exactly one <file.csv>');
        const name = stringOption(values.name);
        const channel = stringOption(values.channel);
        if (!name || !channel) throw new UsageError('audience upload needs --name <name> and --channel <SMS|EMAIL|CHAT>');
        return await audienceUploadCommand(targetOf(env), { file, name, channel }, output);
      }
      case 'migrate': {
        const { positionals } = parse(rest, {});
        if (positionals.length > 0) throw new UsageError('migrate takes no arguments');
        return await migrateCommand(loadConfig(env).DATABASE_URL, output);
      }
      case 'sandbox': {
        const { values, positionals } = parse(rest, { count: { type: 'string' }, always: { type: 'boolean' }, 'timeout-ms': { type: 'string' }, factor: { type: 'string' } });
        const [action, kind, ...extra] = positionals;
        const sandboxUrl = env.HERALD_SANDBOX_URL || DEFAULT_SANDBOX_URL;
        if ((action === 'clear' || action === 'faults') && kind === undefined) return await sandboxCommand(sandboxUrl, { kind: action }, output);
        if (action !== 'fail') throw new UsageError(`unknown sandbox action ${action ?? ''}; try: herald sandbox fail <fault>, herald sandbox clear, herald sandbox faults`);
        if (!kind || !isFaultKind(kind) || extra.length > 0) throw new UsageError(`give one fault: ${FAULT_KINDS.join(', ')}`);
        const fault = {
          kind,
          always: values.always === true,
          count: positiveOption(values.count, 'count'),
          timeoutMs: positiveOption(values['timeout-ms'], 'timeout-ms'),
          factor: positiveOption(values.factor, 'factor'),
        };
        return await sandboxCommand(sandboxUrl, { kind: 'fail', fault }, output);
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`herald: ${error.message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse(args: string[], options: OptionSpec) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function stringOption(value: string | boolean | Array<string | boolean> | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A whole number above 0, or absent. */
function positiveOption(value: string | boolean | Array<string | boolean> | undefined, name: string): number | undefined {
  const text = stringOption(value);
  if (text === undefined) return undefined;
  const number = Number(text);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`--${name} must be a whole number above 0`);
  return number;
}

function listOption(value: string | boolean | Array<string | boolean> | undefined): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function onePositional(positionals: string[], name: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`give exactly one <${name}>`);
  return positionals[0];
}

/** `--var name=value` pairs; the value may contain `=`. */
function variablesOf(pairs: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--var ${pair}: write it as name=value`);
    variables[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return variables;
}

function targetOf(env: NodeJS.ProcessEnv): ApiTarget {
  const apiKey = env.HERALD_API_KEY;
  if (!apiKey) throw new UsageError('set HERALD_API_KEY to an API key with the ops scope (and send, for herald send)');
  return { baseUrl: env.HERALD_URL || 'http://127.0.0.1:3000', apiKey };
}
