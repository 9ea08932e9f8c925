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

/** A brace that does not form a `{name}` placeholder, with its 0-based position in the content. */
export interface PlaceholderSyntaxError {
  position: number;
  reason: string;
}

const PLACEHOLDER_AT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/;

/**
 * Braces are reserved for placeholders: a template whose `{`/`}` do not form
 * `{name}` would be sent with the braces in it, so it is refused when saved.
 */
export function placeholderSyntaxErrors(content: string): PlaceholderSyntaxError[] {
  const errors: PlaceholderSyntaxError[] = [];
  let index = 0;
  while (index < content.length) {
    const char = content[index];
    if (char === '{') {
      const match = PLACEHOLDER_AT.exec(content.slice(index));
      if (match) {
        index += match[0].length;
        continue;
      }
      const close = content.indexOf('}', index + 1);
      const open = content.indexOf('{', index + 1);
      const closed = close !== -1 && (open === -1 || close < open);
      errors.push({
        position: index,
        reason: closed
          ? `"${content.slice(index, close + 1)}" is not a placeholder: names are letters, digits and _, not starting with a digit, no spaces`
          : 'a "{" is never closed by "}"',
      });
      index = closed ? close + 1 : index + 1;
      continue;
    }
    if (char === '}') errors.push({ position: index, reason: 'a "}" has no "{" before it' });
    index += 1;
  }
  return errors;
}

/** The literal text around the placeholders: `Hi {a}, bye {b}.` → `['Hi ', ', bye ', '.']` (one more part than placeholders). */
export function literalPartsOf(content: string): string[] {
  return content.split(PLACEHOLDER).filter((_part, index) => index % 2 === 0);
}
