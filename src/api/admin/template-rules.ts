import type { Channel, MessageType, ShieldPolicy } from '../../shared/states';
import { placeholderSyntaxErrors } from '../../shared/template-render';
import type { VendorRegistry } from '../../vendors/types';
import type { FieldProblem } from '../validate';

/** What a template must satisfy as a whole, beyond the shape of each field. */
export interface TemplateShape {
  channel: Channel;
  messageType: MessageType;
  subject: string | null;
  content: string;
  vendorTemplateIds: Record<string, string>;
  shieldPolicy: ShieldPolicy;
  bypassTeamSuppression: boolean;
}

/**
 * The checks that need more than one field or the vendor registry: placeholder
 * syntax, the subject, vendor template ids per known provider of the channel,
 * no shield on VERIFICATION (it is never shielded), and the team-suppression
 * bypass only on VERIFICATION.
 */
export function templateProblems(template: TemplateShape, vendors: VendorRegistry): FieldProblem[] {
  const problems: FieldProblem[] = placeholderSyntaxErrors(template.content).map((error) => ({
    field: 'content',
    reason: `at position ${error.position}: ${error.reason}`,
  }));
  if (template.subject !== null && /[{}]/.test(template.subject)) {
    problems.push({ field: 'subject', reason: 'the subject is sent as written; placeholders ({...}) are filled only in content' });
  }
  if (template.channel === 'EMAIL' && template.subject === null) {
    problems.push({ field: 'subject', reason: 'an EMAIL template needs a subject' });
  }
  for (const provider of Object.keys(template.vendorTemplateIds)) {
    const adapter = vendors.get(provider);
    if (!adapter) {
      problems.push({ field: `vendorTemplateIds.${provider}`, reason: `unknown provider "${provider}"; known: ${[...vendors.keys()].join(', ')}` });
    } else if (adapter.channel !== template.channel) {
      problems.push({ field: `vendorTemplateIds.${provider}`, reason: `provider ${provider} sends ${adapter.channel}, this template is ${template.channel}` });
    }
  }
  if (template.messageType === 'VERIFICATION' && template.shieldPolicy !== 'NONE') {
    problems.push({ field: 'shieldPolicy', reason: 'VERIFICATION messages are never shielded; use NONE' });
  }
  if (template.bypassTeamSuppression && template.messageType !== 'VERIFICATION') {
    problems.push({ field: 'bypassTeamSuppression', reason: 'only VERIFICATION templates may pass the team suppression list' });
  }
  return problems;
}
