import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { ChartView } from '../components/chart';
import { Badge, Card, Empty, ErrorBox, Field, PageTitle, Pager, Stat, useLoad, usePages, valueOf } from '../components/ui';
import { count, shortId, time } from '../format';
import { SEND_STATE_ORDER, toneOf } from '../status';
import type { MessageSends, MessageSummary } from '../types';

const PAGE_SIZE = 25;
/** How often a message that still has sends in flight is asked again. */
const LIVE_EVERY_MS = 2_000;

const TONE_COLOURS: Record<string, string> = { good: '#16a34a', warn: '#d97706', bad: '#dc2626', info: '#60a5fa', muted: '#9ca3af' };

/** The team's latest messages, a page at a time, filtered by template on the server. */
export function MessagesPage() {
  const [template, setTemplate] = useState('');
  const [filter, setFilter] = useState('');
  const [messageId, setMessageId] = useState('');
  const pages = usePages<string | undefined>(undefined);
  const list = useLoad(() => api<{ messages: MessageSummary[]; nextBefore: string | null }>('GET', `/v1/messages${query({ template: filter, before: pages.cursor, limit: PAGE_SIZE })}`), [filter, pages.cursor]);

  return (
    <>
      <PageTitle title="Messages & sends" subtitle="Each accepted request is a message; each receiver of it is a send." />
      <div class="card toolbar">
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            pages.reset();
            setFilter(template.trim());
          }}
        >
          <Field label="Template code">
            <input name="template" value={template} onInput={(event) => setTemplate(valueOf(event))} placeholder="all templates" />
          </Field>
          <button type="submit">Filter</button>
        </form>
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            if (messageId.trim()) window.location.assign(`/console/messages/${messageId.trim()}`);
          }}
        >
          <Field label="Open a message by id">
            <input name="messageId" value={messageId} onInput={(event) => setMessageId(valueOf(event))} placeholder="message id" />
          </Field>
          <button type="submit">Open</button>
        </form>
      </div>
      <ErrorBox error={list.error} />
      <Card title="Latest messages">
        {list.data && list.data.messages.length === 0 ? (
          <Empty>No messages{filter ? ` of template ${filter}` : ''}.</Empty>
        ) : (
          <table class="clickable">
            <thead>
              <tr>
                <th>Accepted</th>
                <th>Message</th>
                <th>Template</th>
                <th>Channel</th>
                <th class="num">Receivers</th>
                <th>Campaign</th>
              </tr>
            </thead>
            <tbody>
              {(list.data?.messages ?? []).map((message) => (
                <tr key={message.messageId}>
                  <td class="nowrap">{time(message.createdAt)}</td>
                  <td>
                    <a href={`/console/messages/${message.messageId}`}>{shortId(message.messageId)}</a>
                  </td>
                  <td>{message.template}</td>
                  <td>{message.channel}</td>
                  <td class="num">{count(message.receiverCount)}</td>
                  <td>{message.campaign?.name ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager page={pages.page} hasNext={Boolean(list.data?.nextBefore)} onNext={() => list.data?.nextBefore && pages.next(list.data.nextBefore)} onPrevious={pages.previous} />
      </Card>
    </>
  );
}

/** One message's sends by state, live while any is still in flight; the table pages and filters on the server. */
export function MessagePage({ id }: { id: string }) {
  const [status, setStatus] = useState('');
  const [receiver, setReceiver] = useState('');
  const [receiverFilter, setReceiverFilter] = useState('');
  const pages = usePages<string | undefined>(undefined);
  const sends = useLoad(
    () => api<MessageSends>('GET', `/v1/messages/${id}/sends${query({ status, receiver: receiverFilter, after: pages.cursor, limit: PAGE_SIZE })}`),
    [id, status, receiverFilter, pages.cursor],
    { everyMs: LIVE_EVERY_MS, keepPolling: inFlight },
  );
  const data = sends.data;
  const all = data ? sendCount(data) : 0;
  const live = data !== null && inFlight(data);
  const chart = useMemo(() => (data ? progressChart(data.statusCounts) : null), [data]);

  return (
    <>
      <PageTitle title={data ? `Message ${shortId(id)} · ${data.template}` : `Message ${shortId(id)}`} subtitle={data ? `${data.channel}, accepted ${time(data.createdAt)}` : undefined}>
        {live ? <span class="live">● live</span> : data && <Badge value="FINISHED" label="all sends final" />}
        <button type="button" onClick={() => void sends.reload()}>
          Refresh
        </button>
      </PageTitle>
      <ErrorBox error={sends.error} />
      {data && (
        <Card title="Sends by state">
          <div class="stats">
            <Stat label="receivers" value={count(data.receiverCount)} />
            <Stat label="sends" value={count(all)} />
            <Stat label="final" value={count(data.finalCount)} />
            {SEND_STATE_ORDER.filter((state) => data.statusCounts[state]).map((state) => (
              <button type="button" key={state} class={`stat-button ${status === state ? 'selected' : ''}`} onClick={() => { pages.reset(); setStatus(status === state ? '' : state); }}>
                <Stat label={state.toLowerCase()} value={count(data.statusCounts[state] ?? 0)} tone={toneOf(state)} />
              </button>
            ))}
          </div>
          {chart && <ChartView config={chart} height={70} label="sends of the message by state" />}
        </Card>
      )}
      <Card
        title={`Sends${status ? ` · ${status}` : ''}${data ? ` · ${count(data.total)}` : ''}`}
        actions={
          <form
            class="inline"
            onSubmit={(event) => {
              event.preventDefault();
              pages.reset();
              setReceiverFilter(receiver.trim());
            }}
          >
            <select aria-label="state" value={status} onChange={(event) => { pages.reset(); setStatus(valueOf(event)); }}>
              <option value="">every state</option>
              {SEND_STATE_ORDER.map((state) => (
                <option key={state} value={state}>
                  {state}
                </option>
              ))}
            </select>
            <input aria-label="receiver" placeholder="receiver" value={receiver} onInput={(event) => setReceiver(valueOf(event))} />
            <button type="submit">Find</button>
          </form>
        }
      >
        {data && data.sends.length === 0 ? (
          <Empty>No sends match.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Send</th>
                <th>Receiver</th>
                <th>State</th>
                <th>Reason</th>
                <th>Vendor</th>
                <th>Sent</th>
                <th>Finished</th>
              </tr>
            </thead>
            <tbody>
              {(data?.sends ?? []).map((send) => (
                <tr key={send.sendId}>
                  <td>
                    <a href={`/console/sends/${send.sendId}`}>{shortId(send.sendId)}</a>
                  </td>
                  <td>{send.receiver}</td>
                  <td>
                    <Badge value={send.status} />
                  </td>
                  <td>{send.reason ?? '—'}</td>
                  <td>{send.vendor ?? '—'}</td>
                  <td class="nowrap">{time(send.sentAt)}</td>
                  <td class="nowrap">{time(send.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager page={pages.page} hasNext={Boolean(data?.nextAfter)} onNext={() => data?.nextAfter && pages.next(data.nextAfter)} onPrevious={pages.previous} />
      </Card>
    </>
  );
}

function sendCount(data: MessageSends): number {
  return Object.values(data.statusCounts).reduce((a, b) => a + b, 0);
}

/** True while some send of the message is not final: the view keeps asking. */
function inFlight(data: MessageSends): boolean {
  return data.finalCount < sendCount(data);
}

/** One horizontal stacked bar: the message's sends by state. */
function progressChart(counts: Record<string, number>) {
  const states = SEND_STATE_ORDER.filter((state) => counts[state]);
  return {
    type: 'bar' as const,
    data: {
      labels: ['sends'],
      datasets: states.map((state) => ({ label: state, data: [counts[state] ?? 0], backgroundColor: TONE_COLOURS[toneOf(state)], borderColor: '#fff', borderWidth: 1 })),
    },
    options: { indexAxis: 'y' as const, scales: { x: { stacked: true, display: false }, y: { stacked: true, display: false } }, plugins: { legend: { display: false } } },
  };
}
