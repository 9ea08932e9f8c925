import type { z } from 'zod';

/**
 * A group of settings as declared in src/config.ts and src/dev-config.ts:
 * one zod schema per environment variable, each with `.describe()`. The
 * generated docs (`npm run config:docs`) show one table per section.
 */
export interface SettingSection {
  title: string;
  /** A sentence above the section's table. */
  intro?: string;
  settings: Record<string, z.ZodType>;
}

/** zod's issues as `NAME: reason; NAME: reason`, naming each variable. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}
