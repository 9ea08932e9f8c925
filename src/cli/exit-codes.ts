/** Exit codes scripts can rely on. */
export const EXIT = {
  /** Found, delivered, accepted. */
  OK: 0,
  /** Not delivered (yet), not found, refused, or Herald unreachable. */
  NOT_OK: 1,
  /** The command line was wrong; nothing was asked. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line: main prints the message and the usage, and exits with EXIT.USAGE. */
export class UsageError extends Error {}
