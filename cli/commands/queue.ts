import type { Argv } from 'yargs';
import { parseQueueUrl } from '../../cluster/queue-url.js';
import { queueStatus, type QueueStatus } from '../../cluster/queue-status.js';
import { emit } from '../output.js';

interface QueueArgs {
  queue: string;
  json: boolean;
}

/** `spikechip queue status`: who is working and what is waiting, running or failed. */
export function registerQueue(yargs: Argv): Argv {
  return yargs.command('queue', 'Inspect a spikechip job queue', (y) =>
    y
      .command<QueueArgs>(
        'status',
        'List the workers and the waiting, active and failed jobs',
        (s) =>
          s
            .option('queue', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port[/db] (password also from SPIKECHIP_REDIS_PASSWORD)' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<QueueArgs>,
        async (args) => {
          const status = await queueStatus(parseQueueUrl(args.queue));
          emit(args.json, status, () => formatStatus(status));
        },
      )
      .demandCommand(1, 'name a queue command: status'),
  );
}

function formatStatus(s: QueueStatus): string {
  return [
    `queue ${s.queue}: ${s.workers.length} worker${s.workers.length === 1 ? '' : 's'}`,
    ...s.workers.map((w) => `  ${w.name.padEnd(28)} ${w.address}  idle ${w.idleSeconds} s`),
    `jobs: ${s.jobs.waiting} waiting, ${s.jobs.active} active, ${s.jobs.delayed} delayed (retry pending), ${s.jobs.completed} completed, ${s.jobs.failed} failed`,
    ...s.failed.map((f) => `  failed ${f.id} after ${f.tries} tries: ${f.error}`),
  ].join('\n');
}
