/** `{name}` placeholders. Values are inserted as text; nothing in them is interpreted. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function placeholdersOf(content: string): string[] {
  return [...new Set([...content.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export function renderTemplate(content: string, variables: Record<string, string>): RenderResult {
  const missing = placeholdersOf(content).filter((name) => !(name in variables));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: content.replace(PLACEHOLDER, (_whole, name: string) => variables[name] ?? '') };
}

/** The literal text around the placeholders: `Hi {a}, bye {b}.` → `['Hi ', ', bye ', '.']` (one more part than placeholders). */
export function literalPartsOf(content: string): string[] {
  return content.split(PLACEHOLDER).filter((_part, index) => index % 2 === 0);
}
