export { fanOutMessage } from './fan-out-message';
export { sendMessage } from './send-message';
export { campaignRun } from './campaign-run';
