import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { ChartView, SERIES_COLOURS } from '../components/chart';
import { ActionButton, Badge, Card, ErrorBox, Field, Notice, PageTitle, useLoad, valueOf } from '../components/ui';
import { count, hour, ms, percent } from '../format';
import { useCan } from '../session';
import type { AccountHealth, AccountHealthReport } from '../types';

const WINDOWS = [6, 12, 24, 72];
/** The page follows the accounts while open. */
const REFRESH_MS = 15_000;

/** Vendor accounts: health at a glance (chart), then each account's numbers and its controls. */
export function AccountsPage() {
  const can = useCan();
  const [hours, setHours] = useState(6);
  const report = useLoad(() => api<AccountHealthReport>('GET', `/v1/reports/accounts${query({ hours })}`), [hours], { everyMs: REFRESH_MS, keepPolling: () => true });
  const data = report.data;
  const chart = useMemo(() => (data ? deliveryChart(data) : null), [data]);

  return (
    <>
      <PageTitle title="Vendor accounts" subtitle="Delivery rate, latency and circuit of every account; the effective weight moves by live delivery rate and latency unless pinned. Weights, pins and switches take effect within seconds.">
        <Field label="Window">
          <select name="hours" value={String(hours)} onChange={(event) => setHours(Number(valueOf(event)))}>
            {WINDOWS.map((h) => (
              <option key={h} value={h}>
                last {h} hours
              </option>
            ))}
          </select>
        </Field>
      </PageTitle>
      <ErrorBox error={report.error} />
      {data && !data.circuitsReadable && <Notice>Circuit states are unknown: Redis cannot be read. Workers treat every circuit as closed meanwhile.</Notice>}
      {chart && (
        <Card title="Delivery rate per account, by hour the vendor accepted the sends">
          <ChartView config={chart} height={260} label="delivery rate per account per hour" />
        </Card>
      )}
      {data && (
        <Card title="Accounts">
          <table class="accounts">
            <thead>
              <tr>
                <th>Account</th>
                <th>Circuit</th>
                <th class="num">Delivered</th>
                <th class="num">Sent · undelivered · expired · awaiting</th>
                <th class="num">Latency p50 / p95</th>
                <th class="num">Calls failed</th>
                <th>Weight</th>
                <th>Effective weight</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.accounts.map((account) => (
                <AccountRow key={`${account.id}:${account.weight}`} account={account} editable={can('editAccounts')} onChanged={report.reload} />
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

function AccountRow({ account, editable, onChanged }: { account: AccountHealth; editable: boolean; onChanged: () => Promise<void> }) {
  const [weight, setWeight] = useState(String(account.weight));
  const changed = weight !== String(account.weight);
  const change = async (json: { weight: number } | { pinnedWeight: number | null }) => {
    await api('PATCH', `/v1/admin/accounts/${account.id}`, { json });
    await onChanged();
  };
  const toggle = async () => {
    await api('POST', `/v1/admin/accounts/${account.id}/${account.enabled ? 'disable' : 'enable'}`);
    await onChanged();
  };
  return (
    <tr data-account={account.name} class={account.enabled ? '' : 'disabled-row'}>
      <td>
        <strong>{account.name}</strong>
        <div class="muted">
          {account.channel} · {account.provider} · prio {account.priority}
        </div>
      </td>
      <td>
        {account.circuit ? <Badge value={account.circuit.state} /> : <Badge value="UNKNOWN" label="unknown" />}
        {account.circuit && account.circuit.recentFailures > 0 && <div class="muted">{account.circuit.recentFailures} recent failures</div>}
      </td>
      <td class="num rate">{percent(account.sends.deliveryRate)}</td>
      <td class="num">
        {count(account.sends.sent)} · {count(account.sends.undelivered)} · {count(account.sends.expired)} · {count(account.sends.awaiting)}
      </td>
      <td class="num">
        {ms(account.attempts.p50Ms)} / {ms(account.attempts.p95Ms)}
      </td>
      <td class="num">
        {count(account.attempts.failed)} <span class="muted">of {count(account.attempts.total)}</span>
      </td>
      <td>
        {editable ? (
          <form
            class="inline"
            onSubmit={(event) => {
              event.preventDefault();
            }}
          >
            <input class="narrow" name="weight" type="number" min={0} max={10000} aria-label={`weight of ${account.name}`} value={weight} onInput={(event) => setWeight(valueOf(event))} />
            <ActionButton onClick={() => change({ weight: Number(weight) })} disabled={!changed || weight === ''} kind="primary">
              Save
            </ActionButton>
            <ActionButton onClick={() => change({ pinnedWeight: Number(weight) })} disabled={weight === '' || account.pinnedWeight === Number(weight)}>
              Pin
            </ActionButton>
          </form>
        ) : (
          account.weight
        )}
      </td>
      <td>
        <strong>{account.effectiveWeight}</strong> <span class="muted">({percent(account.firstChoiceShare, 0)} first)</span>{' '}
        {account.pinnedWeight !== null ? <Badge value="PINNED" label={`pinned at ${account.pinnedWeight}`} /> : account.live && <Badge value={account.live.state} label={account.live.state.toLowerCase()} />}
        {editable && account.pinnedWeight !== null && (
          <ActionButton onClick={() => change({ pinnedWeight: null })}>Unpin</ActionButton>
        )}
        <div class="muted reason">{account.weightReason}</div>
        {account.live && (
          <div class="muted window-figures">
            last {Math.round(account.live.windowSeconds / 60)} min: {percent(account.live.deliveryRate)} of {count(account.live.receipts)} receipts · {ms(account.live.latencyMs)}
          </div>
        )}
      </td>
      <td>
        {editable ? (
          <ActionButton onClick={toggle} kind={account.enabled ? 'danger' : 'primary'}>
            {account.enabled ? 'Disable' : 'Enable'}
          </ActionButton>
        ) : account.enabled ? (
          'yes'
        ) : (
          'no'
        )}
      </td>
    </tr>
  );
}

function deliveryChart(report: AccountHealthReport) {
  const withSends = report.accounts.filter((account) => account.sends.sent > 0 || account.enabled);
  return {
    type: 'line' as const,
    data: {
      labels: (withSends[0]?.hourly ?? []).map((h) => hour(h.hour)),
      datasets: withSends.map((account, i) => ({
        label: account.name,
        data: account.hourly.map((h) => (h.deliveryRate === null ? null : Math.round(h.deliveryRate * 1000) / 10)),
        borderColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
        backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
        spanGaps: true,
        tension: 0.2,
        pointRadius: 3,
      })),
    },
    options: {
      scales: { y: { min: 0, max: 100, title: { display: true, text: 'delivered %' } } },
      plugins: { legend: { position: 'bottom' as const } },
    },
  };
}
