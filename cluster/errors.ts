/** A queue that cannot be reached, a job that failed on every try, a worker missing what a job needs. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
