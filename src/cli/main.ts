import { EXIT } from './exit-codes';
import { consoleOutput } from './output';
import { runCli } from './run-cli';

/** The process behind `npx herald` (bin/herald.js): run one command line and exit with its code. */
runCli(process.argv.slice(2), process.env, consoleOutput).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    consoleOutput.err(`herald: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT.NOT_OK;
  },
);
