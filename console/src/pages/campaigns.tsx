import { useState } from 'preact/hooks';
import { api, query, uploadCsv } from '../api';
import { ActionButton, Badge, Card, Empty, ErrorBox, Field, PageTitle, Pager, Stat, useLoad, usePages, valueOf } from '../components/ui';
import { count, percent, shortId, time } from '../format';
import { SEND_STATE_ORDER, toneOf } from '../status';
import type { Audience, AudienceErrors, Campaign, CampaignRun, RunProgress } from '../types';

const CHANNELS = ['SMS', 'EMAIL', 'CHAT'];
const ERRORS_PAGE = 20;
const RUN_EVERY_MS = 2_000;

/** Audiences (upload a CSV, see its refused rows) and campaigns (create, pause, resume, trigger, follow a run). */
export function CampaignsPage() {
  const audiences = useLoad(() => api<{ audiences: Audience[] }>('GET', '/v1/audiences'), []);
  const campaigns = useLoad(() => api<{ campaigns: Campaign[] }>('GET', '/v1/campaigns'), []);
  const [openAudience, setOpenAudience] = useState<string | null>(null);
  const [openCampaign, setOpenCampaign] = useState<string | null>(null);

  return (
    <>
      <PageTitle title="Campaigns & audiences" subtitle="An audience is a CSV of receivers and their variables; a campaign sends a template to it, once or on a schedule." />
      <AudienceUpload onUploaded={async (id) => { setOpenAudience(id); await audiences.reload(); }} />
      <ErrorBox error={audiences.error} />
      <Card title="Audiences">
        {audiences.data && audiences.data.audiences.length === 0 ? (
          <Empty>No audiences yet: upload a CSV above.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Channel</th>
                <th>Status</th>
                <th class="num">Rows</th>
                <th class="num">Refused</th>
                <th>Columns</th>
                <th>Uploaded</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(audiences.data?.audiences ?? []).map((audience) => (
                <tr key={audience.id}>
                  <td>
                    <strong>{audience.name}</strong>
                  </td>
                  <td>{audience.channel}</td>
                  <td>
                    <Badge value={audience.status} />
                  </td>
                  <td class="num">{count(audience.rowCount)}</td>
                  <td class="num">{count(audience.invalidCount)}</td>
                  <td>{['receiver', ...audience.variableColumns].join(', ')}</td>
                  <td class="nowrap">{time(audience.createdAt)}</td>
                  <td>
                    {audience.invalidCount > 0 && (
                      <button type="button" onClick={() => setOpenAudience(openAudience === audience.id ? null : audience.id)}>
                        Refused rows
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {openAudience && <RefusedRows audienceId={openAudience} />}
      </Card>
      <NewCampaign audiences={(audiences.data?.audiences ?? []).filter((a) => a.status === 'READY')} onCreated={async (id) => { setOpenCampaign(id); await campaigns.reload(); }} />
      <ErrorBox error={campaigns.error} />
      <Card title="Campaigns">
        {campaigns.data && campaigns.data.campaigns.length === 0 ? (
          <Empty>No campaigns yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Template</th>
                <th>Schedule</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(campaigns.data?.campaigns ?? []).map((campaign) => (
                <tr key={campaign.id}>
                  <td>
                    <strong>{campaign.name}</strong>
                  </td>
                  <td>
                    <Badge value={campaign.state} />
                  </td>
                  <td>{campaign.template}</td>
                  <td>{'at' in campaign.schedule ? `once at ${time(campaign.schedule.at)}` : `${campaign.schedule.cron} (${campaign.schedule.timeZone})`}</td>
                  <td class="nowrap">{time(campaign.createdAt)}</td>
                  <td>
                    <button type="button" onClick={() => setOpenCampaign(openCampaign === campaign.id ? null : campaign.id)}>
                      Runs & controls
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {openCampaign && <CampaignDetail id={openCampaign} onChanged={campaigns.reload} />}
    </>
  );
}

function AudienceUpload({ onUploaded }: { onUploaded: (id: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [channel, setChannel] = useState('SMS');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<(Audience & { errors: Array<{ line: number; reason: string }> }) | null>(null);
  const upload = async () => {
    if (!file) return;
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const answer = await uploadCsv<Audience & { errors: Array<{ line: number; reason: string }> }>(`/v1/audiences${query({ name: name || file.name, channel })}`, file, setProgress);
      setResult(answer);
      await onUploaded(answer.id);
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress(null);
    }
  };
  return (
    <Card title="Upload an audience">
      <form
        class="toolbar plain"
        onSubmit={(event) => {
          event.preventDefault();
          void upload();
        }}
      >
        <Field label="Name">
          <input name="audienceName" value={name} onInput={(event) => setName(valueOf(event))} placeholder="the file's name" />
        </Field>
        <Field label="Channel">
          <select name="channel" value={channel} onChange={(event) => setChannel(valueOf(event))}>
            {CHANNELS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="CSV" hint="a receiver column, then one column per template variable">
          <input name="audience" type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />
        </Field>
        <button type="submit" class="primary" disabled={!file || progress !== null}>
          Upload
        </button>
      </form>
      {progress !== null && (
        <div class="progress" role="progressbar" aria-valuenow={Math.round(progress * 100)} aria-valuemin={0} aria-valuemax={100}>
          <div style={{ width: `${progress * 100}%` }} />
          <span>{progress < 1 ? `uploading ${percent(progress, 0)}` : 'checking rows…'}</span>
        </div>
      )}
      <ErrorBox error={error} />
      {result && (
        <p class="upload-result">
          <Badge value={result.status} /> {result.name}: {count(result.rowCount)} rows stored, {count(result.invalidCount)} refused.
        </p>
      )}
    </Card>
  );
}

function RefusedRows({ audienceId }: { audienceId: string }) {
  const pages = usePages<number>(0);
  const rows = useLoad(() => api<AudienceErrors>('GET', `/v1/audiences/${audienceId}/errors${query({ afterLine: pages.cursor, limit: ERRORS_PAGE })}`), [audienceId, pages.cursor]);
  return (
    <div class="refused">
      <h3>
        Refused rows <a href={`/v1/audiences/${audienceId}/errors?format=csv`}>download all as CSV</a>
      </h3>
      <ErrorBox error={rows.error} />
      <table>
        <thead>
          <tr>
            <th class="num">Line</th>
            <th>Why</th>
            <th>Row as uploaded</th>
          </tr>
        </thead>
        <tbody>
          {(rows.data?.errors ?? []).map((row) => (
            <tr key={row.line}>
              <td class="num">{row.line}</td>
              <td>{row.reason}</td>
              <td>
                <code class="raw">{row.raw ?? ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={pages.page} hasNext={rows.data?.nextAfterLine != null} onNext={() => rows.data?.nextAfterLine != null && pages.next(rows.data.nextAfterLine)} onPrevious={pages.previous} />
    </div>
  );
}

function NewCampaign({ audiences, onCreated }: { audiences: Audience[]; onCreated: (id: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [templateCode, setTemplateCode] = useState('');
  const [audienceId, setAudienceId] = useState('');
  const [when, setWhen] = useState<'at' | 'cron'>('at');
  const [at, setAt] = useState('');
  const [cron, setCron] = useState('0 9 * * 1');
  const [timeZone, setTimeZone] = useState('');
  const create = async () => {
    const schedule = when === 'at' ? { at: new Date(at).toISOString() } : { cron, ...(timeZone ? { timeZone } : {}) };
    const campaign = await api<Campaign>('POST', '/v1/campaigns', { json: { name, templateCode, audienceId: audienceId || audiences[0]?.id, schedule } });
    await onCreated(campaign.id);
  };
  return (
    <Card title="New campaign">
      <div class="form-grid">
        <Field label="Name">
          <input name="campaignName" value={name} onInput={(event) => setName(valueOf(event))} />
        </Field>
        <Field label="Template code">
          <input name="templateCode" value={templateCode} onInput={(event) => setTemplateCode(valueOf(event))} />
        </Field>
        <Field label="Audience (READY)">
          <select name="audienceId" value={audienceId} onChange={(event) => setAudienceId(valueOf(event))}>
            {audiences.map((audience) => (
              <option key={audience.id} value={audience.id}>
                {audience.name} ({count(audience.rowCount)})
              </option>
            ))}
          </select>
        </Field>
        <Field label="When">
          <select value={when} onChange={(event) => setWhen(valueOf(event) === 'cron' ? 'cron' : 'at')}>
            <option value="at">once, at</option>
            <option value="cron">on a cron schedule</option>
          </select>
        </Field>
        {when === 'at' ? (
          <Field label="At (your local time)">
            <input type="datetime-local" value={at} onInput={(event) => setAt(valueOf(event))} />
          </Field>
        ) : (
          <>
            <Field label="Cron" hint="minute hour day month weekday">
              <input value={cron} onInput={(event) => setCron(valueOf(event))} />
            </Field>
            <Field label="Time zone" hint="empty: Herald's default">
              <input value={timeZone} onInput={(event) => setTimeZone(valueOf(event))} placeholder="Asia/Shanghai" />
            </Field>
          </>
        )}
        <ActionButton kind="primary" onClick={create} disabled={!name || !templateCode || audiences.length === 0 || (when === 'at' && !at)}>
          Create campaign
        </ActionButton>
      </div>
    </Card>
  );
}

function CampaignDetail({ id, onChanged }: { id: string; onChanged: () => Promise<void> }) {
  const campaign = useLoad(() => api<Campaign>('GET', `/v1/campaigns/${id}`), [id], { everyMs: RUN_EVERY_MS, keepPolling: (data) => (data.runs ?? []).some((run) => run.state === 'RUNNING') });
  const control = (action: 'pause' | 'resume' | 'trigger') => async () => {
    await api('POST', `/v1/campaigns/${id}/${action}`);
    await Promise.all([campaign.reload(), onChanged()]);
  };
  const data = campaign.data;
  return (
    <Card
      title={data ? `${data.name} · runs` : 'Campaign'}
      actions={
        data && data.state !== 'DELETED' ? (
          <>
            {data.temporal?.paused ? <ActionButton onClick={control('resume')}>Resume</ActionButton> : <ActionButton onClick={control('pause')}>Pause</ActionButton>}
            <ActionButton kind="primary" onClick={control('trigger')}>
              Run now
            </ActionButton>
          </>
        ) : null
      }
    >
      <ErrorBox error={campaign.error} />
      {data?.temporal && <p class="muted">Next: {data.temporal.nextActionTimes.length ? data.temporal.nextActionTimes.map(time).join(', ') : 'no more runs scheduled'}</p>}
      {data && (data.runs ?? []).length === 0 && <Empty>No runs yet.</Empty>}
      {(data?.runs ?? []).map((run) => (
        <RunProgressView key={run.runId} campaignId={id} run={run} />
      ))}
    </Card>
  );
}

function RunProgressView({ campaignId, run }: { campaignId: string; run: CampaignRun }) {
  const progress = useLoad(() => api<RunProgress>('GET', `/v1/campaigns/${campaignId}/runs/${run.runId}`), [campaignId, run.runId, run.state], {
    everyMs: RUN_EVERY_MS,
    keepPolling: (data) => data.state === 'RUNNING',
  });
  const data = progress.data;
  const started = data ? data.rowsStarted / Math.max(1, data.rowsTotal) : 0;
  return (
    <div class="run">
      <div class="run-head">
        <Badge value={run.state} /> run {shortId(run.runId)} · started {time(run.startedAt)} · <a href={`/console/messages/${run.messageId}`}>its sends</a>
      </div>
      {data && (
        <>
          <div class="progress static">
            <div style={{ width: `${Math.min(1, started) * 100}%` }} />
            <span>
              {count(data.rowsStarted)} of {count(data.rowsTotal)} rows started · {count(data.invalidRows)} refused at upload
            </span>
          </div>
          <div class="stats">
            {SEND_STATE_ORDER.filter((state) => data.sends.byStatus[state]).map((state) => (
              <Stat key={state} label={state.toLowerCase()} value={count(data.sends.byStatus[state] ?? 0)} tone={toneOf(state)} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
