import type { Response } from 'express';
import { changedFields, recordAudit, type AuditAction } from '../../audit/audit-log';
import { Prisma, type Account } from '../../generated/prisma/client';
import { receiptPushUrl } from '../../security/receipt-token';
import type { SecretBox } from '../../security/secret-box';
import type { AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { adapterFor, checkAccountSettings, requireSecretsForNewDestination } from './account-settings';
import { accountListAnswerSchema, accountViewSchema } from './answers';
import { createAccountSchema, updateAccountSchema } from './schemas';
import { ok, PLATFORM } from '../openapi/access';
import { route, type ApiRoute } from '../route';

/**
 * Vendor accounts (shared by all teams): create, change, enable, disable, read;
 * platform admins only (the `platform` scope), every change in the audit log.
 * Secrets are write-only: sealed with the SecretBox, answered only by name.
 * Workers see a change when their account cache expires (ActivitySettings.accountCacheMs).
 */
const accountNotFound = { 404: 'ACCOUNT_NOT_FOUND: no such account' };
const DESTINATION_REFUSED = 'INVALID_REQUEST: a destination in `config` is internal (loopback, private, link-local, ...) or resolves to one; the field is named (VENDOR_URLS_ALLOW_PRIVATE, VENDOR_ALLOWED_NETWORKS)';

export const adminAccountRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/accounts',
    tag: 'admin: accounts',
    summary: 'Vendor accounts (shared by all teams)',
    access: PLATFORM,
    answers: ok('the accounts', accountListAnswerSchema),
    handler: async ({ deps, res }) => {
      const rows = await deps.prisma.account.findMany({ orderBy: [{ channel: 'asc' }, { priority: 'asc' }, { name: 'asc' }] });
      res.json({ accounts: rows.map((row) => accountAnswer(deps, row)) } satisfies AnswerOf<typeof accountListAnswerSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/admin/accounts/:id',
    tag: 'admin: accounts',
    summary: 'One vendor account',
    access: PLATFORM,
    params: idParamSchema,
    answers: ok('the account', accountViewSchema),
    errors: accountNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(accountAnswer(deps, await findAccount(deps, params.id)));
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/accounts',
    tag: 'admin: accounts',
    summary: 'Create a vendor account',
    description:
      "`config` and `secrets` are checked with the provider's own schemas; every destination in `config` (URLs, the SMTP host) passes the outbound guard, names resolved too. Secrets are sealed at rest and never answered.",
    access: PLATFORM,
    body: createAccountSchema,
    answers: { 201: { description: 'created', schema: accountViewSchema } },
    errors: { 400: DESTINATION_REFUSED, 409: 'ACCOUNT_NAME_TAKEN: an account with this name exists' },
    handler: async ({ deps, res, body }) => {
      const adapter = adapterFor(deps.vendors, body.provider);
      const checked = await checkAccountSettings(adapter, { config: body.config, secrets: body.secrets }, deps.outbound.guard);
      const row = await uniqueName(body.name, () => deps.prisma.$transaction(async (tx) => {
        const created = await tx.account.create({
          data: {
            name: body.name,
            channel: adapter.channel,
            provider: adapter.provider,
            config: (checked.config ?? {}) as Prisma.InputJsonObject,
            secretCiphertext: sealed(deps.secrets, checked.secrets ?? {}),
            weight: body.weight,
            priority: body.priority,
            rateLimitPerSecond: body.rateLimitPerSecond ?? null,
            pinnedWeight: body.pinnedWeight ?? null,
            enabled: body.enabled,
          },
        });
        await recordAudit(tx, callerOf(res), {
          action: 'account.create', targetId: created.id, targetTeamId: null,
          changes: { ...changedFields({}, { ...body, config: checked.config, secrets: undefined }), ...secretNamesSet(checked.secrets) },
        });
        return created;
      }));
      res.status(201).json(accountAnswer(deps, row));
    },
  }),

  route({
    method: 'patch',
    path: '/v1/admin/accounts/:id',
    tag: 'admin: accounts',
    summary: 'Change a vendor account (`config` and `secrets` are replaced whole)',
    description: 'A change of where the account sends (an endpoint, base URL, gateway URL or SMTP host) must come with the secrets again: stored credentials never go to a destination they were not given for.',
    access: PLATFORM,
    params: idParamSchema,
    body: updateAccountSchema,
    answers: ok('the changed account', accountViewSchema),
    errors: { 400: `${DESTINATION_REFUSED}; \`secrets\` named when a destination changes without them`, ...accountNotFound, 409: 'ACCOUNT_NAME_TAKEN: an account with this name exists' },
    handler: async ({ deps, res, params, body }) => {
      const current = await findAccount(deps, params.id);
      const change = body;
      const checked = await checkAccountSettings(adapterFor(deps.vendors, current.provider), { config: change.config, secrets: change.secrets }, deps.outbound.guard);
      requireSecretsForNewDestination(current.config as Record<string, unknown>, checked.config, checked.secrets !== undefined);
      const row = await uniqueName(change.name ?? current.name, () => deps.prisma.$transaction(async (tx) => {
        const updated = await tx.account.update({
          where: { id: current.id },
          data: {
            name: change.name,
            weight: change.weight,
            priority: change.priority,
            rateLimitPerSecond: change.rateLimitPerSecond,
            pinnedWeight: change.pinnedWeight,
            ...(checked.config ? { config: checked.config as Prisma.InputJsonObject } : {}),
            ...(checked.secrets ? { secretCiphertext: sealed(deps.secrets, checked.secrets) } : {}),
          },
        });
        const fields = { name: change.name, weight: change.weight, priority: change.priority, rateLimitPerSecond: change.rateLimitPerSecond, pinnedWeight: change.pinnedWeight, config: checked.config };
        await recordAudit(tx, callerOf(res), {
          action: 'account.update', targetId: current.id, targetTeamId: null,
          changes: { ...changedFields(current, fields), ...secretNamesSet(checked.secrets) },
        });
        return updated;
      }));
      res.json(accountAnswer(deps, row));
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/accounts/:id/enable',
    tag: 'admin: accounts',
    summary: 'Enable an account',
    access: PLATFORM,
    params: idParamSchema,
    answers: ok('the account', accountViewSchema),
    errors: accountNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(accountAnswer(deps, await setEnabled(deps, params.id, res, true)));
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/accounts/:id/disable',
    tag: 'admin: accounts',
    summary: 'Disable an account',
    access: PLATFORM,
    params: idParamSchema,
    answers: ok('the account', accountViewSchema),
    errors: accountNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(accountAnswer(deps, await setEnabled(deps, params.id, res, false)));
    },
  }),
];

/** An account as answered; the receipt URL is derived (HMAC of the account id), so an admin can read it again at any time. */
function accountAnswer(deps: ApiDeps, row: Account): AnswerOf<typeof accountViewSchema> {
  return { ...accountView(row, deps.secrets), receiptUrl: receiptPushUrl(deps.config.PUBLIC_BASE_URL, deps.config.RECEIPT_TOKEN_KEY, row) };
}

async function findAccount(deps: ApiDeps, id: string): Promise<Account> {
  const row = await deps.prisma.account.findUnique({ where: { id } });
  if (!row) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `no account ${id}`);
  return row;
}

async function setEnabled(deps: ApiDeps, id: string, res: Response, enabled: boolean): Promise<Account> {
  const account = await findAccount(deps, id);
  if (account.enabled === enabled) return account;
  const action: AuditAction = enabled ? 'account.enable' : 'account.disable';
  return deps.prisma.$transaction(async (tx) => {
    const updated = await tx.account.update({ where: { id: account.id }, data: { enabled } });
    await recordAudit(tx, callerOf(res), { action, targetId: account.id, targetTeamId: null, changes: changedFields(account, { enabled }) });
    return updated;
  });
}

/** Secrets in the audit log: which were set, never their values. */
function secretNamesSet(secrets: Record<string, string> | undefined): { secrets?: { set: string[] } } {
  return secrets ? { secrets: { set: Object.keys(secrets).sort() } } : {};
}

/** Runs a write; a clash on the unique account name is a 409 naming the field. */
async function uniqueName(name: string, write: () => Promise<Account>): Promise<Account> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new HttpError(409, 'ACCOUNT_NAME_TAKEN', `an account named ${name} exists`, { field: 'name' });
    }
    throw error;
  }
}

function sealed(secrets: SecretBox, values: Record<string, string>): string | null {
  return Object.keys(values).length > 0 ? secrets.seal(values) : null;
}

/** Which secrets are set, by name; `unreadable` when the stored ones cannot be opened with this SECRET_KEY. */
function secretNames(row: Account, secrets: SecretBox): { names: string[] } | { unreadable: string } {
  if (row.secretCiphertext === null) return { names: [] };
  try {
    return { names: Object.keys(secrets.open(row.secretCiphertext)).sort() };
  } catch {
    return { unreadable: 'the stored secrets cannot be decrypted with the current SECRET_KEY; set them again' };
  }
}

/** An account as the management API shows it: everything but secret values. */
function accountView(row: Account, secrets: SecretBox) {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    provider: row.provider,
    config: row.config,
    secrets: secretNames(row, secrets),
    weight: row.weight,
    priority: row.priority,
    rateLimitPerSecond: row.rateLimitPerSecond,
    pinnedWeight: row.pinnedWeight,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
