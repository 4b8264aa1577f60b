import { Job, QueueEvents, type Queue } from 'bullmq';
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
/** How often every pending job is read (vanished jobs, progress); a job's end is seen at once through its event. */
const POLL_MS = 500;

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
  // A job's end wakes the loop at once (the run's last shard is not kept waiting for the next poll) and only that job
  // is read; the full poll, which also notices vanished jobs and running jobs' progress, runs every POLL_MS.
  const indexOf = new Map(jobs.map((j, i) => [j.id, i]));
  const ended = new Set<number>();
  let wake: (() => void) | null = null;
  const onEnd = ({ jobId }: { jobId: string }) => {
    const i = indexOf.get(jobId);
    if (i === undefined || !pending.has(i)) return;
    ended.add(i);
    wake?.();
  };
  const events = new QueueEvents(queue.name, { connection: queue.opts.connection });
  events.on('error', () => {});
  events.on('completed', onEnd);
  events.on('failed', onEnd);

  let doneUnits = 0;
  const running = new Map<number, number>();
  const inspect = async (indices: readonly number[]) => {
    const missing: number[] = [];
    // Fetched together: the client sends the reads without waiting for each answer.
    const found = await Promise.all(indices.map((i) => Job.fromId(queue, jobs[i]!.id)));
    for (const [k, i] of indices.entries()) {
      const spec = jobs[i]!;
      const job = found[k];
      if (!pending.has(i)) continue;
      if (job === undefined) {
        missing.push(i);
        continue;
      }
      const state = job.finishedOn === undefined ? 'unfinished' : await job.getState();
      if (state === 'completed') {
        results[i] = spec.read(job.returnvalue);
        pending.delete(i);
        running.delete(i);
        doneUnits += spec.size;
      } else if (state === 'failed') {
        pending.delete(i); // stays in Redis, so `queue status` lists it with its error
        await cancel(queue, jobs, pending);
        const tries =
          job.attemptsMade >= JOB_ATTEMPTS ? `failed on every try (${job.attemptsMade})` : `failed after ${job.attemptsMade} of ${JOB_ATTEMPTS} tries (no retry can fix it)`;
        throw new ClusterError(`job ${spec.id} (${spec.label})`, `${tries}: ${job.failedReason}`);
      } else if (typeof job.progress === 'number') {
        running.set(i, Math.min(spec.size, job.progress));
      }
    }
    await add(missing);
    let runningUnits = 0;
    for (const units of running.values()) runningUnits += units;
    options.onProgress?.(doneUnits + runningUnits);
  };
  try {
    const existing = await Promise.all(jobs.map((j) => Job.fromId(queue, j.id)));
    const states = await Promise.all(existing.map((job) => (job?.finishedOn === undefined ? 'unfinished' : job.getState())));
    const stale = existing.filter((job, i): job is Job => job !== undefined && states[i] === 'failed');
    await Promise.all(stale.map((job) => job.remove()));
    await add(jobs.map((_, i) => i).filter((i) => existing[i] === undefined || stale.includes(existing[i]!)));

    let nextFullPoll = 0;
    while (pending.size > 0) {
      if (performance.now() >= nextFullPoll) {
        ended.clear();
        nextFullPoll = performance.now() + POLL_MS;
        await inspect([...pending]);
      } else {
        const now = [...ended];
        ended.clear();
        await inspect(now);
      }
      if (pending.size === 0 || ended.size > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, nextFullPoll - performance.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    await events.close().catch(() => {});
  }
  await Promise.all(jobs.map((j) => queue.remove(j.id).catch(() => 0)));
  return results as Result[];
}

/** Drops the run's jobs that no worker has started, so a failed run does not keep the cluster busy. */
async function cancel(queue: Queue, jobs: readonly TrackedJob<unknown>[], pending: ReadonlySet<number>): Promise<void> {
  await Promise.all([...pending].map((i) => queue.remove(jobs[i]!.id).catch(() => 0)));
}
