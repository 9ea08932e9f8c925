/**
 * The route a send was planned with, as stored on its row (`send.route_plan`)
 * for diagnose and the trace: the rule that chose its accounts (or the
 * channel's default route) and each account's effective weight with its reason.
 */
import { z } from 'zod';

export const routePlanSchema = z.object({
  plannedAt: z.string(),
  rule: z.object({ id: z.string(), description: z.string() }).nullable(),
  accounts: z.array(z.object({
    id: z.string(),
    name: z.string(),
    effectiveWeight: z.number(),
    circuitOpen: z.boolean(),
    reason: z.string(),
  })),
});

export type RoutePlan = z.infer<typeof routePlanSchema>;

/** A stored plan, or null when there is none (sends planned before route plans were kept) or it cannot be read. */
export function readRoutePlan(value: unknown): RoutePlan | null {
  const parsed = routePlanSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Which rule chose the route, in one line: `route rule <id> (SMS to +86, any message type): tencent-a (weight 1), aliyun-b (weight 0.063, ...)`. */
export function describeRoutePlan(plan: RoutePlan): string {
  const chose = plan.rule
    ? `route rule ${plan.rule.id} (${plan.rule.description})`
    : "no route rule matched: the channel's default route";
  if (plan.accounts.length === 0) return `${chose}: no enabled account to send with`;
  const accounts = plan.accounts.map((account) => `${account.name} (weight ${account.effectiveWeight}${account.circuitOpen ? ', circuit open: tried last' : ''}: ${account.reason})`);
  return `${chose}: ${accounts.join('; ')}`;
}
