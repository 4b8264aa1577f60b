/** A result or program the report cannot be drawn from; the message names the file and what is wrong. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
