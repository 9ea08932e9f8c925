export { sendMessage } from './send-message';
export { campaignRun } from './campaign-run';
