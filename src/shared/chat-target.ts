/**
 * What a CHAT receiver names. A chat-robot account posts into one group (the
 * robot's webhook); the receiver says whom the post addresses there:
 *
 * - `group`: the group, nobody mentioned;
 * - `@all`: the group, everyone mentioned;
 * - `@<userId>`: the group, mentioning that member by the vendor's user id
 *   (DingTalk userId, Feishu open_id `ou_…`, WeCom userid).
 */
export type ChatTarget = { kind: 'group' } | { kind: 'all' } | { kind: 'user'; userId: string };

const USER_ID_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

/** Reads a receiver text; null when it is none of the three forms. */
export function parseChatTarget(text: string): ChatTarget | null {
  if (text === 'group') return { kind: 'group' };
  if (text === '@all') return { kind: 'all' };
  if (text.startsWith('@') && USER_ID_PATTERN.test(text.slice(1))) return { kind: 'user', userId: text.slice(1) };
  return null;
}
