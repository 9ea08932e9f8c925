import { shieldSettingProblems } from '../workflows/night-shield';
import { HttpError } from './http-error';

interface TemplateToSend {
  code: string;
  status: string;
  quietStart: string | null;
  quietEnd: string | null;
  releaseAt: string | null;
  timeZone: string | null;
}

/**
 * 409 unless the template is approved, not disabled, and its stored shield settings
 * are readable: the one place sending checks a template before accepting anything.
 */
export function assertTemplateSendable(template: TemplateToSend): void {
  if (template.status === 'PENDING_APPROVAL') {
    throw new HttpError(409, 'TEMPLATE_NOT_APPROVED', `template ${template.code} is waiting for approval; an admin approves it with POST /v1/admin/templates/<id>/approve`);
  }
  if (template.status === 'DISABLED') throw new HttpError(409, 'TEMPLATE_DISABLED', `template ${template.code} is disabled`);
  if (template.status !== 'ACTIVE') throw new HttpError(409, 'TEMPLATE_NOT_ACTIVE', `template ${template.code} is ${template.status}`);
  const problems = shieldSettingProblems(template);
  if (problems.length > 0) {
    throw new HttpError(409, 'TEMPLATE_MISCONFIGURED', `template ${template.code} has unreadable night-shield settings; an admin fixes them with PATCH /v1/admin/templates/<id>`, {
      problems: problems.map((p) => ({ field: `template.${p.field}`, reason: p.reason })),
    });
  }
}
