import type { Prisma } from '../../src/generated/prisma/client';
import { FINAL_STATUSES, type SendStatus } from '../../src/shared/states';
import { eventually, type RunningHerald } from './herald';

/**
 * Routes this file's SMS sends through one new account only (every other
 * account of the file's database is disabled); secrets sealed as Herald stores them.
 */
export async function useOnlyAccount(
  herald: RunningHerald,
  account: { name: string; provider: string; config: Prisma.InputJsonObject; secrets: Record<string, string> },
): Promise<string> {
  const { prisma, secrets } = herald.deps;
  await prisma.account.updateMany({ data: { enabled: false } });
  const data = {
    channel: 'SMS', provider: account.provider, config: account.config, secretCiphertext: secrets.seal(account.secrets),
    weight: 1, priority: 1, enabled: true,
  };
  const saved = await prisma.account.upsert({ where: { name: account.name }, create: { name: account.name, ...data }, update: data });
  return saved.id;
}

/**
 * The seeded sandbox account behind the file's own first account: priority 2 and weight 0, so it is
 * never the first choice (that is a weighted pick over every account: weight 1 against 100 would still
 * go first about once in a hundred sends), only the failover. Its id.
 */
export async function seededAccountAsFailover(herald: RunningHerald): Promise<string> {
  return (await herald.deps.prisma.account.update({ where: { name: 'sandbox-primary' }, data: { weight: 0, priority: 2 } })).id;
}

/** A NOTICE SMS template of the seed team with the given vendor template ids, never shielded. */
export async function useTemplate(herald: RunningHerald, code: string, content: string, vendorTemplateIds: Record<string, string>): Promise<void> {
  const { prisma } = herald.deps;
  const team = await prisma.team.findFirstOrThrow();
  const data = { name: code, teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content, shieldPolicy: 'NONE', vendorTemplateIds, dedupContentSeconds: 0 };
  await prisma.template.upsert({ where: { teamId_code: { teamId: team.id, code } }, create: { code, ...data }, update: data });
}

/** Sends one message to `receiver` and returns its sendId. */
export async function sendOne(herald: RunningHerald, templateCode: string, receiver: string, variables: Record<string, string>): Promise<string> {
  const accepted = await herald.request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables });
  if (accepted.status !== 202) throw new Error(`send refused: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return accepted.body.sends[0].sendId as string;
}

/** Waits until the send is in a final state and returns GET /v1/sends/:id. */
export async function finalSend(herald: RunningHerald, sendId: string, timeoutMs = 60_000) {
  return eventually(async () => {
    const send = await herald.request('GET', `/v1/sends/${sendId}`);
    return FINAL_STATUSES.has(send.body.status as SendStatus) ? send.body : undefined;
  }, timeoutMs, 250);
}

let receiverCounter = 0;

/** A mainland number no other test of this file used (dedup and daily caps stay out of the way). */
export function freshReceiver(): string {
  receiverCounter += 1;
  return `+86137${String(Date.now() % 10_000).padStart(4, '0')}${String(receiverCounter).padStart(4, '0')}`;
}
