import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { fanOutProgressQuery, type FanOutInput, type FanOutProgress } from '../shared/contract';
import { SEND_PAGE } from './activity-options';

const { startSendPage } = proxyActivities<Activities>(SEND_PAGE);

/**
 * A large message's fan-out (workflow id `message-<messageId>`): starts its
 * sends' workflows one page per activity, keyset on send id, and continues as
 * new after `pagesPerRun` pages so its history stays small. The sends are not
 * children: each page is 3 events here (not 2+ per send), and a send's life
 * does not depend on this workflow's.
 */
export async function fanOutMessage(input: FanOutInput): Promise<FanOutProgress> {
  const progress: FanOutProgress = { messageId: input.messageId, pages: input.pages, started: input.started, after: input.after, done: false };
  setHandler(fanOutProgressQuery, () => progress);

  for (let page = 0; page < input.pagesPerRun; page++) {
    const result = await startSendPage({ messageId: input.messageId, after: progress.after, pageSize: input.pageSize });
    progress.pages += 1;
    progress.started += result.started;
    if (result.next === null) {
      progress.done = true;
      return progress;
    }
    progress.after = result.next;
  }
  return continueAsNew<typeof fanOutMessage>({ ...input, after: progress.after, pages: progress.pages, started: progress.started });
}
