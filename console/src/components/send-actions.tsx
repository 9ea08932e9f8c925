import { api } from '../api';
import { useCan } from '../session';
import { RETRYABLE_STATES } from '../status';
import { ActionButton } from './ui';

/**
 * What ops can do to one send from wherever it is shown: retry a failed one
 * (when the API offers POST /v1/sends/:id/retry and the key may), release or
 * cancel a deferred one; and open its history in the Temporal UI.
 */
export function SendActions({ sendId, status, workflowUrl, onDone }: { sendId: string; status: string; workflowUrl: string; onDone: () => Promise<void> }) {
  const can = useCan();
  const act = (action: string) => async () => {
    await api('POST', `/v1/sends/${sendId}/${action}`);
    await onDone();
  };
  return (
    <div class="send-actions">
      {can('retrySend') && RETRYABLE_STATES.has(status) && (
        <ActionButton kind="primary" onClick={act('retry')}>
          Retry send
        </ActionButton>
      )}
      {status === 'DEFERRED' && can('messages') && (
        <>
          <ActionButton onClick={act('send-now')}>Send now</ActionButton>
          <ActionButton kind="danger" onClick={act('cancel')}>
            Cancel
          </ActionButton>
        </>
      )}
      <a class="button" href={workflowUrl} target="_blank" rel="noopener noreferrer">
        Temporal UI ↗
      </a>
    </div>
  );
}
