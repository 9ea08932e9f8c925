import { removeRunWorkflowBundle } from './workflow-bundle';

export default removeRunWorkflowBundle;
