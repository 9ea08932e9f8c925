/**
 * `{name}` placeholders of a declarative gateway's request. Which names a
 * part of the request may use is fixed here, so a config is checked when it
 * is saved, not when the first send fails.
 */

/** Per-send values from the message. */
const MESSAGE_NAMES = ['receiver', 'content', 'subject', 'sendId', 'reference', 'vendorTemplateId'] as const;
/** Per-call values made up by the adapter (also usable in the signature). */
const CALL_NAMES = ['timestamp', 'nonce'] as const;

export const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9_.-]*)\}/g;

/**
 * Where a template string sits: headers never carry message data (receiver,
 * content, variables); a receipt pull knows only the gateway's `{messageId}`.
 */
export type TemplatePlace = 'body' | 'query' | 'header' | 'pull';

/** Why `name` is not allowed at `place`, or null when it is. */
export function placeholderProblem(name: string, place: TemplatePlace): string | null {
  if ((CALL_NAMES as readonly string[]).includes(name)) return null;
  if (name.startsWith('secret.') && name.length > 'secret.'.length) return null;
  if (name === 'messageId') return place === 'pull' ? null : '{messageId} is only known to a receipt pull';
  if (place === 'pull') return `a receipt pull knows only messageId, timestamp, nonce and secret.<name>, not {${name}}`;
  // Herald's own ids, not message data: headers may carry them.
  if (name === 'sendId' || name === 'reference') return null;
  const messageData = (MESSAGE_NAMES as readonly string[]).includes(name) || (name.startsWith('var.') && name.length > 4);
  if (messageData) return place === 'header' ? `{${name}} is message data and cannot go into a header` : null;
  if (name === 'variables') return '{variables} must be the whole value of a JSON body field';
  return `unknown placeholder {${name}}: use receiver, content, subject, sendId, reference, vendorTemplateId, var.<name>, variables, timestamp, nonce, secret.<name> (messageId in a receipt pull)`;
}

/** Every placeholder name in a template string. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1] ?? '');
}
