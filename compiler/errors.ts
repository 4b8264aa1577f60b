/**
 * A model the compiler cannot lower at all (an op no chip here runs, a malformed graph). Resource and semantic
 * problems are diagnostics (diagnostics.ts), not exceptions: they are collected, reported and counted.
 */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
