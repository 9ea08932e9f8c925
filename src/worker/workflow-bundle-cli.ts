// Part of `npm run build`: writes the workflow bundle built workers load (dist/workflow-bundle.js).
import { DefaultLogger } from '@temporalio/worker';
import { writeWorkflowBundle } from './workflow-bundle';

writeWorkflowBundle(undefined, new DefaultLogger('WARN')).then(
  ({ file, bytes }) => console.log(`wrote ${file} (${Math.round(bytes / 1024)} KiB)`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
