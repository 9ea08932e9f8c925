/**
 * What Herald keeps of a vendor's own words (error texts, acceptance and
 * receipt texts): a bounded, sanitised excerpt. It is stored with attempts
 * and receipts and shown to API callers (GET /v1/sends/:id, trace, diagnose),
 * so a vendor (or whatever answered in its place) can never have a whole
 * body, markup or control characters echoed to a caller.
 */
export const VENDOR_TEXT_MAX_CHARS = 300;

const MARKUP = /<[^>]{0,200}>/g;
// Control and format characters (C0, C1, bidi overrides, zero-width) carry nothing a reader needs.
const INVISIBLE = /[\p{Cc}\p{Cf}]+/gu;

export function vendorExcerpt(text: string): string {
  const clean = text.replace(MARKUP, ' ').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= VENDOR_TEXT_MAX_CHARS ? clean : `${clean.slice(0, VENDOR_TEXT_MAX_CHARS - 1)}…`;
}
