import { Router, type Response } from 'express';
import { changedFields, recordAudit, type AuditAction } from '../../audit/audit-log';
import { callerOf } from '../caller';
import { requireScope } from '../scopes';
import { Prisma, type Account } from '../../generated/prisma/client';
import { receiptPushUrl } from '../../security/receipt-token';
import type { SecretBox } from '../../security/secret-box';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { parseOr400 } from '../validate';
import { adapterFor, checkAccountSettings, requireSecretsForNewDestination } from './account-settings';
import type { accountListAnswerSchema, accountViewSchema } from './answers';
import { createAccountSchema, updateAccountSchema } from './schemas';

/**
 * Vendor accounts (shared by all teams): create, change, enable, disable, read;
 * platform admins only (the `platform` scope), every change in the audit log.
 * Secrets are write-only: sealed with the SecretBox, answered only by name.
 * Workers see a change when their account cache expires (ActivitySettings.accountCacheMs).
 */
export function adminAccountsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use('/v1/admin/accounts', requireScope('platform'));
  // The receipt URL is derived (HMAC of the account id), so an admin can read it again at any time.
  const view = (row: Account): AnswerOf<typeof accountViewSchema> => ({ ...accountView(row, deps.secrets), receiptUrl: receiptPushUrl(deps.config.PUBLIC_BASE_URL, deps.config.RECEIPT_TOKEN_KEY, row) });

  router.get('/v1/admin/accounts', async (_req, res) => {
    const rows = await deps.prisma.account.findMany({ orderBy: [{ channel: 'asc' }, { priority: 'asc' }, { name: 'asc' }] });
    res.json({ accounts: rows.map(view) } satisfies AnswerOf<typeof accountListAnswerSchema>);
  });

  router.get('/v1/admin/accounts/:id', async (req, res) => {
    res.json(view(await findAccount(deps, req.params)));
  });

  router.post('/v1/admin/accounts', async (req, res) => {
    const body = parseOr400(createAccountSchema, req.body, 'body');
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
          enabled: body.enabled,
        },
      });
      await recordAudit(tx, callerOf(res), {
        action: 'account.create', targetId: created.id, targetTeamId: null,
        changes: { ...changedFields({}, { ...body, config: checked.config, secrets: undefined }), ...secretNamesSet(checked.secrets) },
      });
      return created;
    }));
    res.status(201).json(view(row));
  });

  router.patch('/v1/admin/accounts/:id', async (req, res) => {
    const current = await findAccount(deps, req.params);
    const change = parseOr400(updateAccountSchema, req.body, 'body');
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
          ...(checked.config ? { config: checked.config as Prisma.InputJsonObject } : {}),
          ...(checked.secrets ? { secretCiphertext: sealed(deps.secrets, checked.secrets) } : {}),
        },
      });
      const fields = { name: change.name, weight: change.weight, priority: change.priority, rateLimitPerSecond: change.rateLimitPerSecond, config: checked.config };
      await recordAudit(tx, callerOf(res), {
        action: 'account.update', targetId: current.id, targetTeamId: null,
        changes: { ...changedFields(current, fields), ...secretNamesSet(checked.secrets) },
      });
      return updated;
    }));
    res.json(view(row));
  });

  router.post('/v1/admin/accounts/:id/enable', async (req, res) => {
    res.json(view(await setEnabled(deps, req.params, res, true)));
  });

  router.post('/v1/admin/accounts/:id/disable', async (req, res) => {
    res.json(view(await setEnabled(deps, req.params, res, false)));
  });

  return router;
}

async function findAccount(deps: ApiDeps, params: unknown): Promise<Account> {
  const { id } = parseOr400(idParamSchema, params, 'params');
  const row = await deps.prisma.account.findUnique({ where: { id } });
  if (!row) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `no account ${id}`);
  return row;
}

async function setEnabled(deps: ApiDeps, params: unknown, res: Response, enabled: boolean): Promise<Account> {
  const account = await findAccount(deps, params);
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
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
