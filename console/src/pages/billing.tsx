import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { ChartView, SERIES_COLOURS, STATE_COLOURS } from '../components/chart';
import { Badge, Card, Empty, ErrorBox, Field, PageTitle, Stat, useLoad, valueOf } from '../components/ui';
import { count, thisMonth, time } from '../format';
import type { BillComparison, BillingReport } from '../types';

/** The month per vendor account (what the vendors will bill), and a vendor's bill compared with it. */
export function BillingPage() {
  const [month, setMonth] = useState(thisMonth());
  const report = useLoad(() => api<BillingReport>('GET', `/v1/reports/billing${query({ month, by: 'day' })}`), [month]);
  const data = report.data;
  const charts = useMemo(() => (data ? { accounts: accountsChart(data), days: daysChart(data) } : null), [data]);

  return (
    <>
      <PageTitle title="Billing" subtitle={data ? `Days in ${data.timeZone}; a send counts on the day its vendor accepted it.` : undefined}>
        <Field label="Month">
          <input name="month" type="month" value={month} onInput={(event) => setMonth(valueOf(event))} />
        </Field>
        <a class="button" href={`/v1/reports/billing${query({ month, format: 'csv' })}`} download>
          Download CSV
        </a>
      </PageTitle>
      <ErrorBox error={report.error} />
      {data && (
        <>
          <div class="card stats">
            <Stat label="accepted by vendors" value={count(data.totals.accepted)} />
            <Stat label="billed segments" value={count(data.totals.segments)} />
            <Stat label="delivered" value={count(data.totals.receipts.delivered)} tone="good" />
            <Stat label="undelivered" value={count(data.totals.receipts.undelivered)} tone="bad" />
            <Stat label="expired" value={count(data.totals.receipts.expired)} tone="warn" />
            <Stat label="awaiting receipt" value={count(data.totals.receipts.awaiting)} tone="info" />
          </div>
          {data.accounts.length === 0 ? (
            <Card title="Accounts">
              <Empty>No vendor accepted a send in {data.month}.</Empty>
            </Card>
          ) : (
            <div class="two-columns">
              <Card title="Sends per account, by receipt">{charts && <ChartView config={charts.accounts} label="sends per account by receipt status" />}</Card>
              <Card title="Billed segments per day">{charts && <ChartView config={charts.days} label="billed segments per account per day" />}</Card>
            </div>
          )}
          <Card title={`Accounts in ${data.month}`}>
            <table>
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Provider</th>
                  <th class="num">Accepted</th>
                  <th class="num">Segments</th>
                  <th class="num">Delivered</th>
                  <th class="num">Undelivered</th>
                  <th class="num">Expired</th>
                  <th class="num">Awaiting</th>
                </tr>
              </thead>
              <tbody>
                {data.accounts.map((account) => (
                  <tr key={account.account}>
                    <td>
                      <strong>{account.account}</strong>
                    </td>
                    <td>
                      {account.provider} · {account.channel}
                    </td>
                    <td class="num">{count(account.accepted)}</td>
                    <td class="num">{count(account.segments)}</td>
                    <td class="num">{count(account.receipts.delivered)}</td>
                    <td class="num">{count(account.receipts.undelivered)}</td>
                    <td class="num">{count(account.receipts.expired)}</td>
                    <td class="num">{count(account.receipts.awaiting)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <BillUpload month={month} accounts={data.accounts.map((account) => account.account)} />
        </>
      )}
    </>
  );
}

function BillUpload({ month, accounts }: { month: string; accounts: string[] }) {
  const [account, setAccount] = useState(accounts[0] ?? '');
  const [unit, setUnit] = useState('segments');
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<BillComparison | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const compare = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<BillComparison>('POST', `/v1/reports/billing/compare${query({ month, account, unit })}`, { csv: file }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Compare a vendor's bill">
      <form
        class="toolbar plain"
        onSubmit={(event) => {
          event.preventDefault();
          void compare();
        }}
      >
        <Field label="Account">
          <input name="account" list="bill-accounts" value={account} onInput={(event) => setAccount(valueOf(event))} required />
          <datalist id="bill-accounts">
            {accounts.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </Field>
        <Field label="A per-day bill counts">
          <select name="unit" value={unit} onChange={(event) => setUnit(valueOf(event))}>
            <option value="segments">segments</option>
            <option value="messages">messages</option>
          </select>
        </Field>
        <Field label="Bill (CSV)" hint="per message (id, segments) or per day (date, count)">
          <input name="bill" type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />
        </Field>
        <button type="submit" class="primary" disabled={!file || !account || busy}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </form>
      <ErrorBox error={error} />
      {result && <ComparisonView result={result} />}
    </Card>
  );
}

function ComparisonView({ result }: { result: BillComparison }) {
  return (
    <div class="comparison" data-testid="bill-comparison">
      <p>
        {result.matches ? <Badge value="DELIVERED" label="bill matches" /> : <Badge value="FAILED" label="differences" />} {result.account} ({result.provider}), {result.month}, {result.format}
      </p>
      {result.format === 'per-day' ? (
        <>
          <div class="stats">
            <Stat label={`vendor ${result.unit}`} value={count(result.vendor.total)} />
            <Stat label={`Herald ${result.unit}`} value={count(result.herald.total)} />
            <Stat label="difference" value={count(result.vendor.total - result.herald.total)} tone={result.vendor.total === result.herald.total ? 'good' : 'bad'} />
          </div>
          {result.days.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Day</th>
                  <th class="num">Vendor</th>
                  <th class="num">Herald</th>
                  <th class="num">Vendor − Herald</th>
                </tr>
              </thead>
              <tbody>
                {result.days.map((day) => (
                  <tr key={day.day}>
                    <td>{day.day}</td>
                    <td class="num">{count(day.vendor)}</td>
                    <td class="num">{count(day.herald)}</td>
                    <td class="num">{count(day.difference)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <>
          <div class="stats">
            <Stat label="vendor messages" value={count(result.vendor.messages)} />
            <Stat label="Herald messages" value={count(result.herald.messages)} />
            <Stat label="vendor segments" value={count(result.vendor.segments)} />
            <Stat label="Herald segments" value={count(result.herald.segments)} />
            <Stat label="ids billed twice" value={count(result.vendor.duplicatedIds)} tone={result.vendor.duplicatedIds ? 'bad' : undefined} />
          </div>
          {(
            [
              ['Billed, unknown to Herald', result.vendorOnly],
              ['Sent by Herald, not billed', result.heraldOnly],
              ['Billed in another month', result.outsideMonth],
              ['Segments differ', result.segmentsDiffer],
            ] as const
          ).map(([title, differences]) =>
            differences.count === 0 ? null : (
              <table key={title}>
                <caption>
                  {title}: {count(differences.count)}
                  {differences.count > differences.first.length ? ` (first ${differences.first.length})` : ''}
                </caption>
                <thead>
                  <tr>
                    <th>Vendor message id</th>
                    <th>Bill line</th>
                    <th>Send</th>
                    <th>Receiver</th>
                    <th>Accepted</th>
                    <th class="num">Herald segments</th>
                    <th class="num">Vendor segments</th>
                  </tr>
                </thead>
                <tbody>
                  {differences.first.map((row) => (
                    <tr key={`${row.vendorMessageId}-${row.line ?? ''}`}>
                      <td>
                        <code>{row.vendorMessageId}</code>
                      </td>
                      <td>{row.line ?? '—'}</td>
                      <td>{row.sendId ? <a href={`/console/sends/${row.sendId}`}>{row.sendId.slice(0, 8)}</a> : '—'}</td>
                      <td>{row.receiver ?? '—'}</td>
                      <td class="nowrap">{time(row.sentAt)}</td>
                      <td class="num">{row.heraldSegments ?? '—'}</td>
                      <td class="num">{row.vendorSegments ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ),
          )}
        </>
      )}
    </div>
  );
}

function accountsChart(report: BillingReport) {
  const states = ['delivered', 'undelivered', 'expired', 'awaiting'] as const;
  return {
    type: 'bar' as const,
    data: {
      labels: report.accounts.map((account) => account.account),
      datasets: states.map((state) => ({ label: state, data: report.accounts.map((account) => account.receipts[state]), backgroundColor: STATE_COLOURS[state], maxBarThickness: 56 })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: 'bottom' as const } } },
  };
}

function daysChart(report: BillingReport) {
  const days = [...new Set(report.accounts.flatMap((account) => (account.days ?? []).map((day) => day.day)))].sort();
  return {
    type: 'bar' as const,
    data: {
      labels: days.map((day) => day.slice(5)),
      datasets: report.accounts.map((account, i) => {
        const byDay = new Map((account.days ?? []).map((day) => [day.day, day.segments]));
        return { label: account.account, data: days.map((day) => byDay.get(day) ?? 0), backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length], maxBarThickness: 40 };
      }),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: 'bottom' as const } } },
  };
}
