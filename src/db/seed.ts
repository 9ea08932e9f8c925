import type { Scope } from '../api/scopes';
import type { DevConfig } from '../dev-config';
import type { PrismaClient } from '../generated/prisma/client';
import { apiKeyPrefix, hashApiKey } from '../security/api-keys';
import type { SecretBox } from '../security/secret-box';

export const SEED_TEAM = 'demo';
export const SEED_SMS_TEMPLATE = 'welcome_sms';
export const SEED_VERIFICATION_TEMPLATE = 'verify_code';
export const SEED_SANDBOX_ACCOUNT = 'sandbox-primary';
/**
 * The dev key (SEED_API_KEY) holds every scope, so one key runs everything in
 * the README: sending (send), diagnose and traces (ops), the team's templates
 * and keys (admin), vendor accounts, approval, billing and the audit log (platform).
 */
export const SEED_KEY_SCOPES: Scope[] = ['send', 'ops', 'admin', 'platform'];
export const SEED_SANDBOX_TIMEOUT_MS = 5000;

/**
 * What a new user needs to send a first SMS with no editing: a team, an API
 * key (SEED_API_KEY), two SMS templates and an account on the sandbox vendor.
 * Idempotent: running it again changes nothing that exists. Returns the
 * sandbox account, whose receipt push URL the caller shows.
 */
export async function seed(prisma: PrismaClient, config: Pick<DevConfig, 'SEED_API_KEY' | 'SANDBOX_VENDOR_URL' | 'SANDBOX_APP_KEY' | 'SANDBOX_APP_SECRET'>, secrets: SecretBox): Promise<{ id: string; provider: string }> {
  const team = await prisma.team.upsert({ where: { name: SEED_TEAM }, create: { name: SEED_TEAM }, update: {} });

  await prisma.apiKey.upsert({
    where: { keyPrefix: apiKeyPrefix(config.SEED_API_KEY) },
    create: {
      teamId: team.id,
      name: 'demo sender',
      keyPrefix: apiKeyPrefix(config.SEED_API_KEY),
      keyHash: hashApiKey(config.SEED_API_KEY),
      scopes: SEED_KEY_SCOPES,
    },
    // A dev database seeded before the platform scope existed gets it too; the seed key is the seed's own.
    update: { scopes: SEED_KEY_SCOPES },
  });

  await prisma.template.upsert({
    where: { teamId_code: { teamId: team.id, code: SEED_SMS_TEMPLATE } },
    create: {
      code: SEED_SMS_TEMPLATE, name: 'Welcome SMS', teamId: team.id, channel: 'SMS', messageType: 'NOTICE',
      content: 'Hello {name}, your order {order} has shipped.', shieldPolicy: 'NONE', status: 'ACTIVE',
    },
    update: {},
  });

  await prisma.template.upsert({
    where: { teamId_code: { teamId: team.id, code: SEED_VERIFICATION_TEMPLATE } },
    create: {
      code: SEED_VERIFICATION_TEMPLATE, name: 'Verification code', teamId: team.id, channel: 'SMS', messageType: 'VERIFICATION',
      content: 'Your verification code is {code}. It expires in 5 minutes.', shieldPolicy: 'NONE', status: 'ACTIVE',
      dedupContentSeconds: 0,
    },
    update: {},
  });

  return prisma.account.upsert({
    where: { name: SEED_SANDBOX_ACCOUNT },
    select: { id: true, provider: true },
    create: {
      name: SEED_SANDBOX_ACCOUNT, channel: 'SMS', provider: 'sandbox',
      config: { endpoint: config.SANDBOX_VENDOR_URL, timeoutMs: SEED_SANDBOX_TIMEOUT_MS },
      secretCiphertext: secrets.seal({ appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET }),
      weight: 1, priority: 10,
    },
    update: {},
  });
}
