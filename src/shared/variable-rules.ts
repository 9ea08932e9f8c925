import { z } from 'zod';

/**
 * What a template variable may be called and hold, wherever variables
 * arrive: the JSON of `POST /v1/messages` (src/api/schemas.ts) and the
 * columns of an audience CSV (src/audiences).
 */

/** Postgres text cannot hold NUL; refuse it as bad input instead of failing on insert. */
export const noNul = (text: string) => !text.includes('\u0000');
export const NUL_MESSAGE = 'must not contain the NUL character';
/** Text with NUL written as the visible escape `\u0000`: Postgres text cannot hold NUL, and a refused value is still kept as evidence. */
export const escapeNul = (text: string) => text.replaceAll('\u0000', '\\u0000');

const CONTROL = /\p{Cc}/u;
const ALLOWED_CONTROLS = new Set(['\n', '\t', '\u0000']); // NUL has its own message (noNul)
/** A control character other than line break, tab and NUL. */
const hasOtherControl = (text: string) => [...text].some((char) => CONTROL.test(char) && !ALLOWED_CONTROLS.has(char));
/** An unpaired UTF-16 surrogate: not text, and cannot be stored or sent as UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Bidirectional embeddings, overrides and isolates: they would reorder the rest of the message on the receiver's screen. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** Longest variable value, in UTF-16 code units. */
export const MAX_VARIABLE_LENGTH = 1000;

/**
 * A variable value is inserted into the content as plain text (src/shared/template-render.ts);
 * these rules keep it from carrying anything that is not text a person reads.
 */
export const variableText = z
  .string()
  .max(MAX_VARIABLE_LENGTH, `must be at most ${MAX_VARIABLE_LENGTH} characters`)
  .refine(noNul, NUL_MESSAGE)
  .refine((text) => !hasOtherControl(text), 'must not contain control characters (line break and tab are allowed)')
  .refine((text) => !LONE_SURROGATE.test(text), 'must not contain unpaired UTF-16 surrogates')
  .refine((text) => !BIDI_CONTROL.test(text), 'must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)');

export const VARIABLE_NAME_MESSAGE = 'variable names are letters, digits and _';
export const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, VARIABLE_NAME_MESSAGE).max(64);

/** More variables than any template uses is a mistake or an attack; refused rather than stored. */
export const MAX_VARIABLES = 100;

/**
 * Names that are properties of every JS object: refused as variable names,
 * so a name never vanishes into (or reaches) Object.prototype.
 */
export const RESERVED_VARIABLE_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];
