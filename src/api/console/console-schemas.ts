import { z } from 'zod';
import { CONSOLE_ACCESS } from './console-access';

/** `POST /console/session`: sign in with an API key (it is checked, never stored). */
export const consoleSignInSchema = z.object({ apiKey: z.string().min(1).max(200) }).strict();

/** A console session as the page reads it. */
export const consoleSessionAnswerSchema = z.object({
  apiKey: z.object({ id: z.uuid(), name: z.string(), prefix: z.string() }),
  team: z.string(),
  scopes: z.array(z.string()),
  capabilities: z.array(z.enum(Object.keys(CONSOLE_ACCESS) as [keyof typeof CONSOLE_ACCESS])).meta({ description: 'what the console shows and allows this key' }),
  csrfToken: z.string().meta({ description: 'send it as X-CSRF-Token with every request that changes something' }),
  expiresAt: z.date(),
  temporalUiUrl: z.string(),
});
