import { ClusterError } from '../cluster/errors.js';
import { ChipProgramError, ChipSpecError, LearningRuleError, UnknownChipError } from '../chips/errors.js';
import { CompileError } from '../compiler/errors.js';
import { ModelError } from '../models/errors.js';
import { ReportError } from '../report/errors.js';
import { SimulationError } from '../simulator/errors.js';

/** A command line the user must change (a bad option value, a missing argument, an output over an input): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An output that could not be written (disk full, permissions changed during the run): names the real path. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/**
 * A program refused before a run because `check` finds it does not fit the chip: the message is the one line,
 * `details` the diagnostics as `spikechip check` prints them.
 */
export class DoesNotFitError extends Error {
  override name = 'DoesNotFitError';
  constructor(
    message: string,
    readonly details: readonly string[],
  ) {
    super(message);
  }
}

/** Errors whose message already says which file, field and limit: shown as they are. */
const TOOL_ERRORS = [
  ModelError,
  CompileError,
  ChipProgramError,
  ChipSpecError,
  UnknownChipError,
  SimulationError,
  ReportError,
  LearningRuleError,
  OutputError,
  DoesNotFitError,
  ClusterError,
];

/** 2 for a command line to change, 1 for bad input files and everything else. */
export function exitCode(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/**
 * What the user sees: one line `spikechip <command>: <message>` (a DoesNotFitError adds check's diagnostics
 * below it). Any other exception is named with its class; a stack only with SPIKECHIP_DEBUG=1, never by default.
 */
export function failureLines(command: string | null, error: unknown, debug = process.env.SPIKECHIP_DEBUG === '1'): string[] {
  const prefix = command ? `spikechip ${command}: ` : 'spikechip: ';
  const lines = [`${prefix}${oneLine(describeFailure(error))}`];
  if (error instanceof DoesNotFitError) lines.push(...error.details);
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines;
}

export function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message} (see --help)`;
  if (isToolError(error)) return error.message;
  if (isSystemError(error)) return error.message;
  // A plain Error is how the libraries' readers word a refusal they have no class for: its message is for the user.
  if (error instanceof Error && error.constructor === Error) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message} (SPIKECHIP_DEBUG=1 shows where it was thrown)`;
  return String(error);
}

function isToolError(error: unknown): error is Error {
  return TOOL_ERRORS.some((kind) => error instanceof kind);
}

/** Node's file-system errors (ENOENT, EACCES, EISDIR...) name the path and the reason in their message. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** A message that spans lines (yargs lists choices on their own lines) joined into one. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
