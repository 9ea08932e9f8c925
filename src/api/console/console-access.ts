import type { Scope } from '../scopes';

/**
 * What the console shows and lets a signed-in key do, and the scope each
 * needs: the one place the console's access is decided (the API checks its
 * own scopes again on every call). The console hides what is not listed for
 * the key. A new role (platform admin, team admin) changes this table only.
 */
export const CONSOLE_ACCESS = {
  /** Diagnose a receiver, read a send's trace. */
  diagnose: 'ops',
  /** Retry a FAILED, EXPIRED or UNDELIVERED send (only when the API has the route). */
  retrySend: 'ops',
  /** The team's messages and their sends. */
  messages: 'send',
  /** Vendor accounts' health. */
  accounts: 'ops',
  /** Enable, disable and weigh vendor accounts (a platform admin's). */
  editAccounts: 'platform',
  /** The team's templates: create, disable, settings. */
  templates: 'admin',
  /** Approve a template (the platform's content review). */
  approveTemplates: 'platform',
  /** "Which template sent this text?" over every team's templates. */
  templateSearch: 'ops',
  /** The month per account, and bill comparison (every team's: a platform admin's). */
  billing: 'platform',
  /** The team's audiences and campaigns. */
  campaigns: 'send',
} as const satisfies Record<string, Scope>;

export type ConsoleCapability = keyof typeof CONSOLE_ACCESS;

/** An operation of the API as its OpenAPI document names it (`/v1/sends/{id}/retry`). */
export interface DocumentedOperation {
  method: string;
  path: string;
}

/** The API route a capability needs beyond its scope, for routes other branches are adding. */
const NEEDS_ROUTE: Partial<Record<ConsoleCapability, DocumentedOperation>> = {
  retrySend: { method: 'post', path: '/v1/sends/{id}/retry' },
};

/** What a key with `scopes` may do in the console, given which operations the API serves. */
export function consoleCapabilities(scopes: readonly string[], serves: (operation: DocumentedOperation) => boolean): ConsoleCapability[] {
  return (Object.keys(CONSOLE_ACCESS) as ConsoleCapability[]).filter((capability) => {
    const route = NEEDS_ROUTE[capability];
    return (!route || serves(route)) && scopes.includes(CONSOLE_ACCESS[capability]);
  });
}
