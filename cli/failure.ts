import { ChipProgramError, ChipSpecError, LearningRuleError, UnknownChipError } from '../chips/errors.js';
import { CompileError } from '../compiler/errors.js';
import { ModelError } from '../models/errors.js';
import { ReportError } from '../report/errors.js';
import { SimulationError } from '../simulator/errors.js';

/** A command line yargs refused (unknown option, missing command): exit 2 with yargs' message, no stack. */
export class UsageError extends Error {}

/** One line for the user: the tool's own errors say where and what; anything else is a bug and shows its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ModelError || error instanceof CompileError || error instanceof ChipProgramError || error instanceof ChipSpecError || error instanceof UnknownChipError || error instanceof SimulationError || error instanceof ReportError || error instanceof LearningRuleError) {
    return error.message;
  }
  if (error instanceof UsageError) return `${error.message} (see --help)`;
  if (error instanceof Error) return error.constructor === Error ? error.message : `${error.stack ?? error.message}`;
  return String(error);
}
