import { ChipProgramError, ChipSpecError, LearningRuleError, UnknownChipError } from '../chips/errors.js';
import { CompileError } from '../compiler/errors.js';
import { ModelError } from '../models/errors.js';
import { SimulationError } from '../simulator/errors.js';

/** One line for the user: the tool's own errors say where and what; anything else is a bug and shows its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ModelError || error instanceof CompileError || error instanceof ChipProgramError || error instanceof ChipSpecError || error instanceof UnknownChipError || error instanceof SimulationError || error instanceof LearningRuleError) {
    return error.message;
  }
  if (error instanceof Error) return error.constructor === Error ? error.message : `${error.stack ?? error.message}`;
  return String(error);
}
