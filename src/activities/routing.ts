import type { Channel } from '../shared/states';
import type { RouteCandidate } from '../workflows/route-order';
import type { AccountDirectory } from './account-directory';
import type { CircuitBreaker } from './circuit-breaker';

/** The accounts a send may use, with their circuit state; the workflow orders them. */
export function createRoutingActivities(deps: { accounts: AccountDirectory; circuit: CircuitBreaker }) {
  return {
    async planRoute(channel: Channel): Promise<RouteCandidate[]> {
      const accounts = await deps.accounts.enabledAccounts(channel);
      const open = await deps.circuit.openAccounts(accounts.map((a) => a.id));
      return accounts.map((a) => ({
        accountId: a.id,
        account: a.name,
        provider: a.provider,
        weight: a.weight,
        priority: a.priority,
        circuitOpen: open.has(a.id),
      }));
    },
  };
}
