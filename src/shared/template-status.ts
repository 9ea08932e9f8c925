/**
 * A template's life: created PENDING_APPROVAL, sendable only when ACTIVE
 * (approved), DISABLED to stop it. A change to what reaches the receiver
 * (content, subject, message type, vendor template ids) puts an ACTIVE
 * template back to PENDING_APPROVAL.
 */
export const TEMPLATE_STATUSES = ['PENDING_APPROVAL', 'ACTIVE', 'DISABLED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
