import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { SendActions } from '../components/send-actions';
import { SendRuns } from '../components/send-runs';
import { Badge, Card, Empty, ErrorBox, Field, Notice, PageTitle, valueOf } from '../components/ui';
import { ms, shortId, time } from '../format';
import { toneOf } from '../status';
import type { Diagnosis, SendDiagnosis } from '../types';

/** Step glyphs: what a step did to the send at a glance. */
const OUTCOME_MARK: Record<string, string> = { passed: '✓', stopped: '✕', waiting: '⏸', 'not reached': '·' };

/**
 * "Why did receiver X not get the message?": the receiver typed or pasted as
 * ops have it (spaces, tabs, no +86: the API reduces it to the records' key),
 * the verdict, and each send as its path through the steps with the evidence.
 */
export function DiagnosePage() {
  const [receiver, setReceiver] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [answer, setAnswer] = useState<Diagnosis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api<Diagnosis>('GET', `/v1/diagnose${query({ receiver, from, to })}`));
    } catch (caught) {
      setError(caught);
      setAnswer(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle title="Diagnose a receiver" subtitle="Why did this phone or mailbox not get the message? Paste it as you have it." />
      <form
        class="card toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <Field label="Phone number or e-mail">
          <input name="receiver" class="wide" required value={receiver} onInput={(event) => setReceiver(valueOf(event))} placeholder="138 0013 8000, +86 138-0013-8000 or name@example.com" />
        </Field>
        <Field label="From (optional)" hint="default: 7 days back">
          <input name="from" type="date" value={from} onInput={(event) => setFrom(valueOf(event))} />
        </Field>
        <Field label="To (optional)">
          <input name="to" type="date" value={to} onInput={(event) => setTo(valueOf(event))} />
        </Field>
        <button type="submit" class="primary" disabled={busy || receiver.trim() === ''}>
          {busy ? 'Looking…' : 'Diagnose'}
        </button>
      </form>
      <ErrorBox error={error} />
      {answer && <DiagnosisView answer={answer} reload={run} />}
    </>
  );
}

function DiagnosisView({ answer, reload }: { answer: Diagnosis; reload: () => Promise<void> }) {
  return (
    <>
      <div class={`verdict tone-${toneOf(answer.verdict)}`} data-testid="verdict">
        <Badge value={answer.verdict} />
        <div>
          <div class="verdict-receiver">
            {answer.receiver} <span class="muted">· {time(answer.from)} – {time(answer.to)}</span>
          </div>
          <p>{answer.summary}</p>
        </div>
      </div>
      {answer.sends.map((send) => (
        <SendStory key={send.sendId} send={send} reload={reload} />
      ))}
      {answer.rejectedRequests.length > 0 && (
        <Card title="Requests refused for this receiver">
          <table>
            <thead>
              <tr>
                <RequestHeads />
                <th>Receiver as it arrived</th>
                <th>Why, and what to do</th>
              </tr>
            </thead>
            <tbody>
              {answer.rejectedRequests.map((request) => (
                <tr key={request.at}>
                  <RequestCells request={request} answer={`${request.status} ${request.errorCode}`} />
                  <td>
                    <code class="raw">{request.receiverAsReceived.join(', ')}</code>
                  </td>
                  <td>
                    {request.explanation} <span class="muted">{request.nextStep}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {answer.sends.length === 0 && answer.rejectedRequests.length === 0 && (
        <Card title="Latest requests in the window (other receivers masked)">
          {answer.windowRequests.length === 0 ? (
            <Empty>No requests at all in this window.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <RequestHeads />
                  <th>Receivers</th>
                </tr>
              </thead>
              <tbody>
                {answer.windowRequests.map((request, i) => (
                  <tr key={i}>
                    <RequestCells request={request} answer={String(request.status)} />
                    <td>{request.receivers.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      )}
    </>
  );
}

/** The first columns of a row about an API request: when, who, which template, the answer. */
function RequestHeads() {
  return (
    <>
      <th>At</th>
      <th>Caller</th>
      <th>Template</th>
      <th>Answer</th>
    </>
  );
}

function RequestCells({ request, answer }: { request: { at: string; caller: string | null; template: string | null }; answer: string }) {
  return (
    <>
      <td class="nowrap">{time(request.at)}</td>
      <td>{request.caller ?? '—'}</td>
      <td>{request.template ?? '—'}</td>
      <td>{answer}</td>
    </>
  );
}

function SendStory({ send, reload }: { send: SendDiagnosis; reload: () => Promise<void> }) {
  const { evidence } = send;
  return (
    <Card
      class="send-story"
      title={
        <>
          <Badge value={send.status} /> {send.template} <span class="muted">· send {shortId(send.sendId)} · {time(send.createdAt)}</span>
        </>
      }
      actions={<SendActions sendId={send.sendId} status={send.status} workflowUrl={send.workflowUrl} onDone={reload} />}
    >
      <ol class="timeline" aria-label="steps of the send">
        {send.steps.map((step) => (
          <li key={step.step} class={`step step-${step.outcome.replace(' ', '-')}`} data-step={step.step} data-outcome={step.outcome}>
            <div class="step-head">
              <span class="step-mark">{OUTCOME_MARK[step.outcome]}</span>
              <span class="step-name">{step.step}</span>
            </div>
            <div class="step-detail">{step.detail}</div>
          </li>
        ))}
      </ol>
      <div class="explanation">
        <p>
          <strong>{send.explanation}</strong>
        </p>
        <Notice>Next: {send.nextStep}</Notice>
      </div>
      <dl class="facts">
        <dt>Caller</dt>
        <dd>
          {send.caller} <span class="muted">(team {send.team})</span>
        </dd>
        <dt>Reason</dt>
        <dd>{send.reason ?? '—'}</dd>
        <SendRuns runNo={send.runNo} earlierRuns={evidence.earlierRuns} />
        <dt>Vendor</dt>
        <dd>
          {evidence.vendor ?? '—'} {evidence.vendorMessageId && <code>{evidence.vendorMessageId}</code>}
        </dd>
        {evidence.vendorCode && (
          <>
            <dt>Vendor said</dt>
            <dd>
              <code>{evidence.vendorCode}</code> {evidence.vendorText}
            </dd>
          </>
        )}
        {evidence.deferredUntil && (
          <>
            <dt>Deferred until</dt>
            <dd>{time(evidence.deferredUntil)}</dd>
          </>
        )}
        {evidence.collidedWith && (
          <>
            <dt>Duplicate of</dt>
            <dd>
              <a href={`/console/sends/${evidence.collidedWith.sendId}`}>send {shortId(evidence.collidedWith.sendId)}</a> ({evidence.collidedWith.status ?? '?'}, {time(evidence.collidedWith.createdAt)})
            </dd>
          </>
        )}
        <dt>Trace</dt>
        <dd>
          <a href={`/console/sends/${send.sendId}`}>full trace of send {shortId(send.sendId)}</a>
        </dd>
      </dl>
      {evidence.attempts.length > 0 && (
        <table class="evidence">
          <caption>Vendor attempts</caption>
          <thead>
            <tr>
              <th>At</th>
              <th>Account</th>
              <th>#</th>
              <th>Outcome</th>
              <th>Class</th>
              <th>Vendor code and text</th>
              <th class="num">Took</th>
            </tr>
          </thead>
          <tbody>
            {evidence.attempts.map((attempt) => (
              <tr key={attempt.id}>
                <td class="nowrap">{time(attempt.startedAt)}</td>
                <td>{attempt.account}</td>
                <td>{attempt.attemptNo}</td>
                <td>
                  <Badge value={attempt.outcome === 'ACCEPTED' ? 'DELIVERED' : 'FAILED'} label={attempt.outcome} />
                </td>
                <td>{attempt.errorClass ?? '—'}</td>
                <td>
                  {attempt.vendorCode && <code>{attempt.vendorCode}</code>} {attempt.vendorText}
                </td>
                <td class="num">{ms(attempt.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {evidence.receipts.length > 0 && (
        <table class="evidence">
          <caption>Receipts</caption>
          <thead>
            <tr>
              <th>Received</th>
              <th>Status</th>
              <th>Reason</th>
              <th>Vendor code and text</th>
              <th>Delivered at</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {evidence.receipts.map((receipt) => (
              <tr key={receipt.id}>
                <td class="nowrap">{time(receipt.receivedAt)}</td>
                <td>
                  <Badge value={receipt.status} />
                </td>
                <td>{receipt.reason ?? '—'}</td>
                <td>
                  {receipt.vendorCode && <code>{receipt.vendorCode}</code>} {receipt.vendorText}
                </td>
                <td>{time(receipt.deliveredAt)}</td>
                <td>{receipt.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
