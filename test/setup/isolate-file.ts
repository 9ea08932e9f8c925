/** setupFilesAfterEnv of the integration project: every file gets its own database, Redis prefix, namespace and task queue. */
import { isolateThisFile } from '../support/isolation';

isolateThisFile(expect.getState().testPath ?? '');
