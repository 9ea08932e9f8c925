import { api } from '../api';
import { SendActions } from '../components/send-actions';
import { SendRuns } from '../components/send-runs';
import { Badge, Card, ErrorBox, Notice, PageTitle, useLoad } from '../components/ui';
import { shortId, time } from '../format';
import { useCan } from '../session';
import type { SendView, Trace } from '../types';

/** One send: its workflow history and records as one ordered list (ops), or its record (send scope only). */
export function SendPage({ id }: { id: string }) {
  const can = useCan();
  const trace = useLoad(() => (can('diagnose') ? api<Trace>('GET', `/v1/sends/${id}/trace`) : Promise.resolve(null)), [id]);
  const send = useLoad(() => api<SendView>('GET', `/v1/sends/${id}`).catch(() => null), [id]);
  const reload = async () => {
    await Promise.all([trace.reload(), send.reload()]);
  };
  const status = trace.data?.status ?? send.data?.status;
  const workflowUrl = trace.data?.workflowUrl ?? send.data?.workflowUrl;

  return (
    <>
      <PageTitle title={`Send ${shortId(id)}`} subtitle={send.data ? `to ${send.data.receiver}` : undefined}>
        {status && <Badge value={status} />}
        {status && workflowUrl && <SendActions sendId={id} status={status} workflowUrl={workflowUrl} onDone={reload} />}
      </PageTitle>
      <ErrorBox error={trace.error} />
      {send.data && (
        <Card title="Record">
          <dl class="facts">
            <dt>State</dt>
            <dd>
              {send.data.status} {send.data.reason && <span class="muted">({send.data.reason}{send.data.reasonDetail ? `: ${send.data.reasonDetail}` : ''})</span>}
            </dd>
            <dt>Vendor</dt>
            <dd>
              {send.data.vendor ?? '—'} {send.data.vendorMessageId && <code>{send.data.vendorMessageId}</code>}
            </dd>
            <dt>Accepted · sent · finished</dt>
            <dd>
              {time(send.data.createdAt)} · {time(send.data.sentAt)} · {time(send.data.finishedAt)}
            </dd>
            <SendRuns runNo={send.data.runNo} earlierRuns={send.data.earlierRuns} />
          </dl>
        </Card>
      )}
      {trace.data && (
        <Card title="Trace: workflow history and records, in time order">
          {!trace.data.history.available && <Notice>The workflow history could not be read ({trace.data.history.error}); the records below still tell the story.</Notice>}
          <table class="trace">
            <thead>
              <tr>
                <th>At</th>
                <th>Step</th>
                <th>What happened</th>
                <th>Evidence</th>
              </tr>
            </thead>
            <tbody>
              {trace.data.events.map((event, i) => (
                <tr key={i} class={`source-${event.source}`}>
                  <td class="nowrap">{time(event.at)}</td>
                  <td>
                    <span class="step-chip">{event.step}</span>
                  </td>
                  <td>{event.what}</td>
                  <td class="muted">{event.evidence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
