import { ensureConsoleBuilt } from '../support/console-build';
import setUpIntegrationRun from './integration';

/**
 * globalSetup of the browser project, once per run: what the integration project sets up (its global
 * setup runs once, whichever project comes first) and, meanwhile, the console built when dist/console
 * is missing or older than console/.
 */
export default async function setUpBrowserRun(): Promise<void> {
  await Promise.all([setUpIntegrationRun(), ensureConsoleBuilt()]);
}
