import { diagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';

/** The codes a CompileError carries: an error diagnostic's code (diagnostics.ts). */
export type CompileErrorCode = Extract<DiagnosticCode, `E-${string}`>;

/**
 * A model the compiler cannot lower at all (an op no chip here runs, a malformed graph). Resource and semantic
 * problems are diagnostics (diagnostics.ts), not exceptions: they are collected, reported and counted. The error
 * still carries a diagnostic's code and layer, so `--json` reports it as fields, not only as text.
 */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    readonly source: string,
    readonly detail: string,
    readonly code: CompileErrorCode,
    /** The model layer (node) at fault; null where the whole model or an option is. */
    readonly layer: string | null,
  ) {
    super(`${source}: ${detail}`);
  }

  /** The error as the error diagnostic `--json` prints; its message is the one line the text output shows. */
  toDiagnostic(): Diagnostic {
    return { ...diagnostic(this.code, { layer: this.layer }, {}, this.detail), message: this.message };
  }
}
