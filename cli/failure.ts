import { ModelError } from '../models/errors.js';

/** One line for the user: the tool's own errors say where and what; anything else is a bug and shows its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ModelError) return error.message;
  if (error instanceof Error && error.constructor.name.endsWith('Error') && 'source' in error) return error.message;
  if (error instanceof Error) return error.constructor === Error ? error.message : `${error.stack ?? error.message}`;
  return String(error);
}
