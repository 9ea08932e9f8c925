/** `{name}` placeholders. Values are inserted as text; nothing in them is interpreted. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function placeholdersOf(content: string): string[] {
  return [...new Set([...content.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

/**
 * One pass over the content: a value is never scanned for placeholders, and a
 * replacement function (not a string) keeps `$&` and friends literal. Only the
 * caller's own variables count: `{constructor}` is missing unless given, never
 * something inherited from Object.prototype.
 */
export function renderTemplate(content: string, variables: Record<string, string>): RenderResult {
  const values = new Map(Object.entries(variables));
  const missing = placeholdersOf(content).filter((name) => !values.has(name));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: content.replace(PLACEHOLDER, (_whole, name: string) => values.get(name) ?? '') };
}
