/** Words of the suppression list, shared by the API, the receipt store and the screening step. Workflow-safe. */
import type { Reason } from './states';

/** Why a receiver is suppressed: opted out, or blocked. Both are send reasons too (a SUPPRESSED send carries it). */
export const SUPPRESSION_REASONS = ['UNSUBSCRIBED', 'BLACKLISTED'] as const satisfies readonly Reason[];
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Who put the entry there: a business service (send scope), a vendor's unsubscribe receipt, or an admin. */
export const SUPPRESSION_SOURCES = ['API', 'RECEIPT', 'MANUAL'] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];
