import { Job, type Queue } from 'bullmq';
import { ClusterError } from './errors.js';

/** One job the submitter waits for: its id, what to add if it is missing, and how to read its result. */
export interface TrackedJob<Result> {
  readonly id: string;
  readonly name: string;
  readonly data: unknown;
  /** What the job is, for the error when it fails (e.g. "samples 0..99"). */
  readonly label: string;
  /** Units of work it stands for (samples), for the progress bar. */
  readonly size: number;
  readonly read: (returnValue: unknown) => Result;
}

/** Tries per job, and the pause between them; a job that fails every try fails the whole run with its error. */
export const JOB_ATTEMPTS = 3;
const RETRY_DELAY_MS = 500;
const POLL_MS = 200;

/**
 * Adds the jobs (ids derived from the work, so a job already queued, running or done is reused, never duplicated),
 * waits for every one and returns their results in the order given. A job that vanished (Redis restarted without
 * persistence) is added again; a job failed by an earlier run is retried. `onProgress` receives the units done
 * across the cluster, counting the progress of running jobs.
 */
export async function runJobs<Result>(
  queue: Queue,
  jobs: readonly TrackedJob<Result>[],
  options: { onProgress?: ((done: number) => void) | undefined; beforeAdd?: () => Promise<void> },
): Promise<Result[]> {
  const results = new Array<Result | undefined>(jobs.length);
  const pending = new Set(jobs.map((_, i) => i));
  const add = async (indices: number[]) => {
    if (indices.length === 0) return;
    await options.beforeAdd?.();
    await queue.addBulk(
      indices.map((i) => ({
        name: jobs[i]!.name,
        data: jobs[i]!.data,
        opts: {
          jobId: jobs[i]!.id,
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'fixed', delay: RETRY_DELAY_MS },
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
  };
  const existing = await Promise.all(jobs.map((j) => Job.fromId(queue, j.id)));
  const states = await Promise.all(existing.map((job) => (job?.finishedOn === undefined ? 'unfinished' : job.getState())));
  const stale = existing.filter((job, i): job is Job => job !== undefined && states[i] === 'failed');
  await Promise.all(stale.map((job) => job.remove()));
  await add(jobs.map((_, i) => i).filter((i) => existing[i] === undefined || stale.includes(existing[i]!)));

  let doneUnits = 0;
  while (pending.size > 0) {
    let runningUnits = 0;
    const missing: number[] = [];
    const polled = [...pending];
    // Fetched together: the client sends the reads without waiting for each answer.
    const states = await Promise.all(polled.map((i) => Job.fromId(queue, jobs[i]!.id)));
    for (const [k, i] of polled.entries()) {
      const spec = jobs[i]!;
      const job = states[k];
      if (job === undefined) {
        missing.push(i);
        continue;
      }
      const state = job.finishedOn === undefined ? 'unfinished' : await job.getState();
      if (state === 'completed') {
        results[i] = spec.read(job.returnvalue);
        pending.delete(i);
        doneUnits += spec.size;
      } else if (state === 'failed') {
        pending.delete(i); // stays in Redis, so `queue status` lists it with its error
        await cancel(queue, jobs, pending);
        const tries =
          job.attemptsMade >= JOB_ATTEMPTS ? `failed on every try (${job.attemptsMade})` : `failed after ${job.attemptsMade} of ${JOB_ATTEMPTS} tries (no retry can fix it)`;
        throw new ClusterError(`job ${spec.id} (${spec.label})`, `${tries}: ${job.failedReason}`);
      } else if (typeof job.progress === 'number') {
        runningUnits += Math.min(spec.size, job.progress);
      }
    }
    await add(missing);
    options.onProgress?.(doneUnits + runningUnits);
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await Promise.all(jobs.map((j) => queue.remove(j.id).catch(() => 0)));
  return results as Result[];
}

/** Drops the run's jobs that no worker has started, so a failed run does not keep the cluster busy. */
async function cancel(queue: Queue, jobs: readonly TrackedJob<unknown>[], pending: ReadonlySet<number>): Promise<void> {
  await Promise.all([...pending].map((i) => queue.remove(jobs[i]!.id).catch(() => 0)));
}
