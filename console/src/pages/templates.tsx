import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { ActionButton, Badge, Card, Empty, ErrorBox, Field, PageTitle, useLoad, valueOf } from '../components/ui';
import { percent } from '../format';
import { useCan } from '../session';
import type { Template, TemplateMatch } from '../types';

const CHANNELS = ['SMS', 'EMAIL', 'CHAT'];
const MESSAGE_TYPES = ['NOTICE', 'MARKETING', 'VERIFICATION'];
const SHIELD_POLICIES = ['NONE', 'DROP', 'DEFER'];
const STATUSES = ['PENDING_APPROVAL', 'ACTIVE', 'DISABLED'];

/** Templates: which one sent this text (ops, every team), and the team's own (admin): create, disable, settings; approve (platform). */
export function TemplatesPage() {
  const can = useCan();
  return (
    <>
      <PageTitle title="Templates" subtitle="No template, no send: every message is one of these." />
      {can('templateSearch') && <TemplateSearch />}
      {can('templates') && <TemplateList />}
    </>
  );
}

function TemplateSearch() {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<TemplateMatch[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const search = async () => {
    setError(null);
    try {
      setMatches((await api<{ matches: TemplateMatch[] }>('GET', `/v1/templates/search${query({ text })}`)).matches);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Card title="Which template sent this text?">
      <form
        class="toolbar plain"
        onSubmit={(event) => {
          event.preventDefault();
          void search();
        }}
      >
        <Field label="Text as the receiver got it" hint="any piece of at least 4 characters; filled-in values and a vendor signature are fine">
          <textarea name="text" rows={2} class="wide" value={text} onInput={(event) => setText(valueOf(event))} />
        </Field>
        <button type="submit" class="primary" disabled={text.trim().length < 4}>
          Search
        </button>
      </form>
      <ErrorBox error={error} />
      {matches && matches.length === 0 && <Empty>No template of any team could have produced this text.</Empty>}
      {matches && matches.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Template</th>
              <th>Team</th>
              <th>Fit</th>
              <th>Content</th>
              <th>Sent by (last 30 days)</th>
            </tr>
          </thead>
          <tbody>
            {matches.map((match) => (
              <tr key={match.template.id}>
                <td>
                  <strong>{match.template.code}</strong> <Badge value={match.template.status} />
                  <div class="muted">{match.template.name}</div>
                </td>
                <td>{match.team}</td>
                <td>{match.exact ? <Badge value="DELIVERED" label="exact" /> : `${percent(match.coverage, 0)} of the text`}</td>
                <td class="content">{match.template.content}</td>
                <td>{match.callers.length === 0 ? '—' : match.callers.map((caller) => `${caller.name} (${caller.team}, ${caller.messages})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function TemplateList() {
  const can = useCan();
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useLoad(() => api<{ templates: Template[] }>('GET', `/v1/admin/templates${query({ status, channel })}`), [status, channel]);
  const act = (template: Template, action: 'approve' | 'disable') => async () => {
    await api('POST', `/v1/admin/templates/${template.id}/${action}`);
    await list.reload();
  };
  return (
    <Card
      title="Your team's templates"
      actions={
        <>
          <select aria-label="status" value={status} onChange={(event) => setStatus(valueOf(event))}>
            <option value="">every status</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <select aria-label="channel" value={channel} onChange={(event) => setChannel(valueOf(event))}>
            <option value="">every channel</option>
            {CHANNELS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <button type="button" class="primary" onClick={() => setCreating(!creating)}>
            New template
          </button>
        </>
      }
    >
      {creating && (
        <NewTemplate
          onCreated={async () => {
            setCreating(false);
            await list.reload();
          }}
        />
      )}
      <ErrorBox error={list.error} />
      <table>
        <thead>
          <tr>
            <th>Code</th>
            <th>Status</th>
            <th>Type</th>
            <th>Content</th>
            <th>Night shield</th>
            <th>Dedup · daily cap</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.templates ?? []).map((template) => (
            <Fragment key={template.id}>
              <tr data-template={template.code}>
                <td>
                  <strong>{template.code}</strong>
                  <div class="muted">
                    {template.name} · {template.channel}
                  </div>
                </td>
                <td>
                  <Badge value={template.status} />
                </td>
                <td>{template.messageType}</td>
                <td class="content">{template.content}</td>
                <td>{template.shieldPolicy === 'NONE' ? 'none' : `${template.shieldPolicy} ${template.quietStart ?? 'default'}–${template.quietEnd ?? 'default'}`}</td>
                <td>
                  {template.dedupContentSeconds === null ? 'default' : `${template.dedupContentSeconds} s`} · {template.dailyCapMax ?? 'default'}
                </td>
                <td class="actions">
                  {template.status !== 'ACTIVE' && can('approveTemplates') && <ActionButton onClick={act(template, 'approve')}>Approve</ActionButton>}
                  {template.status !== 'DISABLED' && (
                    <ActionButton kind="danger" onClick={act(template, 'disable')}>
                      Disable
                    </ActionButton>
                  )}
                  <button type="button" onClick={() => setEditing(editing === template.id ? null : template.id)}>
                    Settings
                  </button>
                </td>
              </tr>
              {editing === template.id && (
                <tr>
                  <td colSpan={7}>
                    <TemplateSettings
                      template={template}
                      onSaved={async () => {
                        setEditing(null);
                        await list.reload();
                      }}
                    />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** A number field: empty means "the default" (null). */
function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

function TemplateSettings({ template, onSaved }: { template: Template; onSaved: () => Promise<void> }) {
  const [shieldPolicy, setShieldPolicy] = useState(template.shieldPolicy);
  const [quietStart, setQuietStart] = useState(template.quietStart ?? '');
  const [quietEnd, setQuietEnd] = useState(template.quietEnd ?? '');
  const [releaseAt, setReleaseAt] = useState(template.releaseAt ?? '');
  const [timeZone, setTimeZone] = useState(template.timeZone ?? '');
  const [dedupSeconds, setDedupSeconds] = useState(template.dedupContentSeconds?.toString() ?? '');
  const [dailyCap, setDailyCap] = useState(template.dailyCapMax?.toString() ?? '');
  const save = async () => {
    await api('PATCH', `/v1/admin/templates/${template.id}`, {
      json: {
        shieldPolicy,
        quietStart: quietStart || null,
        quietEnd: quietEnd || null,
        releaseAt: releaseAt || null,
        timeZone: timeZone || null,
        dedupContentSeconds: numberOrNull(dedupSeconds),
        dailyCapMax: numberOrNull(dailyCap),
      },
    });
    await onSaved();
  };
  return (
    <div class="form-grid">
      <Field label="Night shield">
        <select value={shieldPolicy} onChange={(event) => setShieldPolicy(valueOf(event))}>
          {SHIELD_POLICIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </Field>
      <Field label="Quiet from" hint="HH:mm; empty: default">
        <input value={quietStart} onInput={(event) => setQuietStart(valueOf(event))} placeholder="22:00" />
      </Field>
      <Field label="Quiet until">
        <input value={quietEnd} onInput={(event) => setQuietEnd(valueOf(event))} placeholder="08:00" />
      </Field>
      <Field label="Deferred sends go at">
        <input value={releaseAt} onInput={(event) => setReleaseAt(valueOf(event))} placeholder="09:00" />
      </Field>
      <Field label="Time zone">
        <input value={timeZone} onInput={(event) => setTimeZone(valueOf(event))} placeholder="Asia/Shanghai" />
      </Field>
      <Field label="Dedup window (s)" hint="0: off">
        <input type="number" min={0} value={dedupSeconds} onInput={(event) => setDedupSeconds(valueOf(event))} />
      </Field>
      <Field label="Daily cap per receiver">
        <input type="number" min={1} value={dailyCap} onInput={(event) => setDailyCap(valueOf(event))} />
      </Field>
      <ActionButton kind="primary" onClick={save}>
        Save settings
      </ActionButton>
    </div>
  );
}

function NewTemplate({ onCreated }: { onCreated: () => Promise<void> }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [channel, setChannel] = useState('SMS');
  const [messageType, setMessageType] = useState('NOTICE');
  const [subject, setSubject] = useState('');
  const [content, setContent] = useState('');
  const create = async () => {
    await api('POST', '/v1/admin/templates', { json: { code, name, channel, messageType, content, ...(subject ? { subject } : {}) } });
    await onCreated();
  };
  return (
    <div class="form-grid new-template">
      <Field label="Code" hint="lower-case, digits, _ . -">
        <input name="code" value={code} onInput={(event) => setCode(valueOf(event))} />
      </Field>
      <Field label="Name">
        <input name="name" value={name} onInput={(event) => setName(valueOf(event))} />
      </Field>
      <Field label="Channel">
        <select value={channel} onChange={(event) => setChannel(valueOf(event))}>
          {CHANNELS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </Field>
      <Field label="Type">
        <select value={messageType} onChange={(event) => setMessageType(valueOf(event))}>
          {MESSAGE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      {channel === 'EMAIL' && (
        <Field label="Subject">
          <input value={subject} onInput={(event) => setSubject(valueOf(event))} />
        </Field>
      )}
      <Field label="Content" hint="placeholders as {name}">
        <textarea name="content" rows={2} value={content} onInput={(event) => setContent(valueOf(event))} />
      </Field>
      <ActionButton kind="primary" onClick={create}>
        Create (pending approval)
      </ActionButton>
    </div>
  );
}
