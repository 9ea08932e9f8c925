import type { PrismaClient } from '../generated/prisma/client';
import { matchRule, describeRule, type RouteRule } from '../routing/route-rules';
import type { RoutePlan } from '../routing/route-plan';
import type { RouteRuleDirectory } from '../routing/route-rule-directory';
import type { RouteWeights } from '../routing/route-weights';
import type { WeightVerdict } from '../routing/route-health';
import type { Channel } from '../shared/states';
import type { RouteCandidate } from '../workflows/route-order';
import type { AccountDirectory, RoutableAccount } from './account-directory';
import type { CircuitBreaker } from './circuit-breaker';
import { SendRowMissing } from './vendor-step-rows';

/** What a send is routed by besides its channel. */
export interface Destination {
  receiver: string;
  messageType: string;
}

/**
 * A send to route. `destination` comes from the workflow's input; a request without it (from a
 * workflow started before the workflow passed it) reads it from the send's row.
 */
export interface RouteRequest {
  sendId: string;
  channel: Channel;
  destination?: Destination;
}

/** The accounts a send may use, and the plan its row keeps. */
export interface PlannedRoute {
  candidates: RouteCandidate[];
  plan: RoutePlan;
}

export interface RoutingDeps {
  prisma: PrismaClient;
  accounts: AccountDirectory;
  rules: RouteRuleDirectory;
  weights: RouteWeights;
  circuit: CircuitBreaker;
  /** How long a channel's effective weights are reused (ACCOUNT_CACHE_MS); 0 judges them for every send. */
  cacheMs: number;
}

/**
 * The accounts a send may use, with their effective weights and circuit
 * state; the workflow orders them (weighted first choice with its own
 * deterministic random, then priority). The weights are judged from the
 * channel's delivery rates and latencies (src/routing/route-health.ts).
 */
export function createRoutingActivities(deps: RoutingDeps) {
  const judged = new Map<Channel, { at: number; verdicts: Map<string, WeightVerdict> }>();

  /** The effective weights of the channel's enabled accounts, judged against each other. */
  async function verdictsOf(channel: Channel, enabled: readonly RoutableAccount[]): Promise<Map<string, WeightVerdict>> {
    const cached = judged.get(channel);
    if (cached && Date.now() - cached.at < deps.cacheMs && enabled.every((account) => cached.verdicts.has(account.id))) return cached.verdicts;
    const verdicts = await deps.weights.weigh(enabled);
    judged.set(channel, { at: Date.now(), verdicts });
    return verdicts;
  }

  /** The send's receiver and its template's message type, in one round trip. */
  async function destinationOnRow(sendId: string): Promise<Destination> {
    const [send] = await deps.prisma.$queryRaw<Destination[]>`
      SELECT s.receiver, t.message_type AS "messageType"
      FROM send s JOIN message m ON m.id = s.message_id JOIN template t ON t.id = m.template_id
      WHERE s.id = ${sendId}::uuid`;
    if (!send) throw new SendRowMissing(sendId);
    return send;
  }

  async function candidates(channel: Channel, routed: readonly RoutableAccount[], enabled: readonly RoutableAccount[]) {
    const [verdicts, open] = await Promise.all([verdictsOf(channel, enabled), deps.circuit.openAccounts(routed.map((a) => a.id))]);
    return routed.map((account) => {
      const verdict = verdicts.get(account.id);
      const candidate: RouteCandidate = {
        accountId: account.id,
        account: account.name,
        provider: account.provider,
        weight: verdict?.effectiveWeight ?? account.weight,
        priority: account.priority,
        circuitOpen: open.has(account.id),
      };
      return { candidate, reason: verdict?.reason ?? 'configured weight' };
    });
  }

  return {
    /**
     * The route of one send: the route rule its channel, receiver and message type match
     * (longest prefix), else the channel's default route; with the plan the send's row keeps
     * (`route_plan`, for diagnose and the trace), written with SENDING in one statement.
     */
    async planRoute(request: RouteRequest): Promise<PlannedRoute> {
      const [destination, enabled, rules] = await Promise.all([
        request.destination ?? destinationOnRow(request.sendId),
        deps.accounts.enabledAccounts(request.channel),
        deps.rules.rulesOf(request.channel),
      ]);
      const rule = matchRule(rules, { channel: request.channel, ...destination });
      const routed = rule ? enabled.filter((account) => rule.accountIds.includes(account.id)) : enabled;
      const planned = await candidates(request.channel, routed, enabled);
      return { candidates: planned.map(({ candidate }) => candidate), plan: routePlan(rule, planned) };
    },
  };
}

function routePlan(rule: RouteRule | null, planned: ReadonlyArray<{ candidate: RouteCandidate; reason: string }>): RoutePlan {
  return {
    plannedAt: new Date().toISOString(),
    rule: rule ? { id: rule.id, description: describeRule(rule) } : null,
    accounts: planned.map(({ candidate, reason }) => ({ id: candidate.accountId, name: candidate.account, effectiveWeight: candidate.weight, circuitOpen: candidate.circuitOpen, reason })),
  };
}
