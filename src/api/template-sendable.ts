import { HttpError } from './http-error';

/** 409 unless the template is approved and not disabled: the one place sending checks a template's status. */
export function assertTemplateSendable(template: { code: string; status: string }): void {
  if (template.status === 'ACTIVE') return;
  if (template.status === 'PENDING_APPROVAL') {
    throw new HttpError(409, 'TEMPLATE_NOT_APPROVED', `template ${template.code} is waiting for approval; an admin approves it with POST /v1/admin/templates/<id>/approve`);
  }
  if (template.status === 'DISABLED') throw new HttpError(409, 'TEMPLATE_DISABLED', `template ${template.code} is disabled`);
  throw new HttpError(409, 'TEMPLATE_NOT_ACTIVE', `template ${template.code} is ${template.status}`);
}
