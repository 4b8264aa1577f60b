import { Queue } from 'bullmq';
import { checkReachable, queueConnection } from './connection.js';
import type { QueueAddress } from './queue-url.js';
import { QUEUE_NAME } from './shards.js';

export interface QueueStatus {
  readonly queue: string;
  readonly workers: { name: string; address: string; idleSeconds: number }[];
  readonly jobs: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  /** The most recent failures: job id and its error. */
  readonly failed: { id: string; error: string; tries: number }[];
}

const FAILURES_SHOWN = 10;

export async function queueStatus(address: QueueAddress): Promise<QueueStatus> {
  await checkReachable(address);
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection(address) });
  queue.on('error', () => {});
  try {
    const [clients, counts, failed] = await Promise.all([
      queue.getWorkers(),
      queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
      queue.getFailed(0, FAILURES_SHOWN - 1),
    ]);
    return {
      queue: address.display,
      workers: clients
        .map((c) => ({ name: c.rawname?.split(':w:')[1] ?? c.name ?? '?', address: c.addr ?? '?', idleSeconds: Number(c.idle) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      jobs: { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      failed: failed.map((job) => ({ id: job.id ?? '?', error: job.failedReason, tries: job.attemptsMade })),
    };
  } finally {
    await queue.close().catch(() => {});
  }
}
