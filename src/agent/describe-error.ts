/**
 * @module agent/describe-error
 * The one-line form of an error the agent logs and keeps as a `lastError`.
 */

/** One line for a log or a lastError: the message of a typed error, never a stack or secret. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}
