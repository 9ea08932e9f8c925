export { sendMessage } from './send-message';
