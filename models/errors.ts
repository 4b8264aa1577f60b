/**
 * The error every reader and checker in models/ throws for bad input. `source` names the file (or the
 * model/layer) the problem is in, so a user always learns where to look.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
