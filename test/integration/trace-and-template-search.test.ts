import { eventually, startHerald, type RunningHerald } from '../support/herald';

interface TraceLine {
  at: string;
  source: string;
  step: string;
  what: string;
  evidence: string;
}

describe('GET /v1/sends/:id/trace and GET /v1/templates/search', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await herald.deps.prisma.template.create({
      data: { code: 'parcel_locker', name: 'Parcel at locker', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Dear {name}, your parcel {parcel} is waiting at locker {locker}. Pick it up within 48 hours.' },
    });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it('traces a send that needed a retry, in order, from the workflow history and the records', async () => {
    herald.vendor.faults.inject('5xx', 1);
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613912345021'], variables: { name: 'Li', order: 'TR-1' } });
    const sendId: string = accepted.body.sends[0].sendId;
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${sendId}`)).body.status === 'DELIVERED' ? true : undefined));

    // The request log row is written just after the answer, and the workflow completes just after it
    // recorded DELIVERED: wait for both to show in the trace.
    const trace = await eventually(async () => {
      const answer = await herald.request('GET', `/v1/sends/${sendId}/trace`);
      const shows = (step: string, start: string) => answer.body.events.some((e: TraceLine) => e.step === step && e.what.startsWith(start));
      return shows('api', 'POST /v1/messages') && shows('workflow', 'workflow completed') ? answer.body : undefined;
    });
    expect(trace).toMatchObject({ sendId, status: 'DELIVERED', run: 1, workflowId: `send-${sendId}`, history: { available: true } });
    const events: TraceLine[] = trace.events;

    const times = events.map((e) => new Date(e.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const indexOf = (step: string, start: string) => {
      const index = events.findIndex((e) => e.step === step && e.what.startsWith(start));
      if (index < 0) throw new Error(`no ${step} event starting with "${start}"`);
      return index;
    };
    const order = [
      indexOf('api', 'POST /v1/messages arrived, answered 202'),
      indexOf('api', 'send accepted'),
      indexOf('workflow', 'workflow sendMessage started'),
      indexOf('status', 'screening, dedup, night shield: send now: QUEUED recorded'),
      indexOf('screening', 'screening, dedup, night shield: send now: PASS'),
      indexOf('dedup', 'screening, dedup, night shield: send now: dedup PASS'),
      indexOf('night shield', 'screening, dedup, night shield: send now: SEND'),
      indexOf('vendor', 'screening, dedup, night shield: send now: SENDING recorded, route planned'),
      indexOf('vendor', 'vendor sandbox-primary attempt 1: scheduled'),
      indexOf('vendor', 'vendor call #1 on sandbox-primary (sandbox): FAILED'),
      indexOf('vendor', 'vendor sandbox-primary attempt 1: retry, attempt 2'),
      indexOf('vendor', 'vendor call #2 on sandbox-primary (sandbox): ACCEPTED, vendor message id sbx-'),
      indexOf('receipt', 'receipt DELIVERED'),
      indexOf('status', 'record DELIVERED done'),
      indexOf('workflow', 'workflow completed'),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // The sandbox pushes its receipt at once: stored before or after the vendor step completed (which
    // then records DELIVERED itself), but the step completes after the call and before the final record.
    const vendorStepDone = indexOf('vendor', 'vendor sandbox-primary attempt 1: completed');
    expect(vendorStepDone).toBeGreaterThan(indexOf('vendor', 'vendor call #2 on sandbox-primary (sandbox): ACCEPTED'));
    expect(vendorStepDone).toBeLessThan(indexOf('status', 'record DELIVERED done'));
    // SENT is shown only while the send waits for its receipt; the vendor goes with SENT or, when the receipt came with the answer, with the final state.
    const vendorShown = events.find((e) => e.step === 'status' && e.what.includes('HeraldVendor='))?.what;
    expect(vendorShown).toContain('HeraldVendor=sandbox');
    expect(vendorShown).toMatch(/HeraldStatus=(SENT|DELIVERED)\b/);
    expect(JSON.stringify(events)).not.toContain('13912345021');
  });

  it('says the history is missing instead of failing, and 404s an unknown send', async () => {
    const unknown = await herald.request('GET', '/v1/sends/00000000-0000-4000-8000-000000000000/trace');
    expect(unknown.status).toBe(404);

    // A send row whose workflow never started (written here without an outbox row).
    const { prisma } = herald.deps;
    const template = await prisma.template.findFirstOrThrow({ where: { code: 'welcome_sms' }, include: { team: { include: { apiKeys: true } } } });
    const message = await prisma.message.create({
      data: { apiKeyId: template.team.apiKeys[0].id, teamId: template.teamId, templateId: template.id, requestHash: 'trace-test', receiverCount: 1 },
    });
    const send = await prisma.send.create({
      data: { messageId: message.id, templateId: template.id, channel: 'SMS', receiver: '+8613912345023', receiverRaw: '+8613912345023', content: 'x' },
    });
    const trace = await herald.request('GET', `/v1/sends/${send.id}/trace`);
    expect(trace.status).toBe(200);
    expect(trace.body.history).toEqual({ available: false, error: expect.stringContaining('not found') });
    expect(trace.body.events.map((e: TraceLine) => e.what)).toEqual([expect.stringContaining('send accepted')]);
  });

  it('finds the template from a rendered text with the variables filled in, with its team and callers', async () => {
    const accepted = await herald.request('POST', '/v1/messages', {
      templateCode: 'parcel_locker', receivers: ['+8613912345022'], variables: { name: 'Wang Fang', parcel: 'SF1234567', locker: 'B-17' },
    });
    expect(accepted.status).toBe(202);
    const text = 'Dear Wang Fang, your parcel SF1234567 is waiting at locker B-17. Pick it up within 48 hours.';
    const found = await herald.request('GET', `/v1/templates/search?text=${encodeURIComponent(text)}`);
    expect(found.status).toBe(200);
    expect(found.body.matches[0]).toMatchObject({ exact: true, team: 'demo', template: { code: 'parcel_locker' } });
    expect(found.body.matches[0].callers).toEqual([expect.objectContaining({ name: 'demo sender', team: 'demo', messages: 1 })]);
  });

  it('finds it from a fragment, with a vendor signature in front, and not from unrelated text', async () => {
    const fragment = await herald.request('GET', `/v1/templates/search?text=${encodeURIComponent('【Demo】parcel ZT99 is waiting at locker')}`);
    expect(fragment.body.matches.map((m: { template: { code: string } }) => m.template.code)).toContain('parcel_locker');
    expect(fragment.body.matches[0]).toMatchObject({ template: { code: 'parcel_locker' }, exact: false });
    const unrelated = await herald.request('GET', `/v1/templates/search?text=${encodeURIComponent('Your flight CA1234 is delayed')}`);
    expect(unrelated.body.matches).toEqual([]);
    const tooShort = await herald.request('GET', '/v1/templates/search?text=ab');
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.details.fields[0].field).toBe('text');
  });
});
