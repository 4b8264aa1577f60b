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

/** A job whose thread was still computing at its time limit, and was terminated. */
export class JobTimeLimitError extends ClusterError {
  constructor(source: string, seconds: number) {
    super(source, `ran past its time limit of ${seconds} s and its job thread was terminated (a stuck job; --job-time-limit sets the limit)`);
  }
}
