import type { Argv } from 'yargs';
import { parseQueueUrl } from '../../cluster/queue-url.js';
import { startQueueWorker } from '../../cluster/queue-worker.js';
import { UsageFailure } from './compile.js';

interface WorkerArgs {
  queue: string;
  concurrency: number;
}

/** `spikechip worker`: runs the queue's jobs on this machine until stopped (SIGINT/SIGTERM finish the jobs in hand). */
export function registerWorker(yargs: Argv): Argv {
  return yargs.command<WorkerArgs>(
    'worker',
    'Run jobs of a spikechip queue (simulate/sweep --queue) on this machine until stopped',
    (y) =>
      y
        .option('queue', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port[/db] (password also from SPIKECHIP_REDIS_PASSWORD)' })
        .option('concurrency', { type: 'number', default: 1, describe: 'jobs run at once, each on its own thread (about one per CPU core)' }) as Argv<WorkerArgs>,
    async (args) => {
      if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 256)
        throw new UsageFailure(`--concurrency must be an integer 1..256, got ${args.concurrency}`);
      const address = parseQueueUrl(args.queue);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const worker = await startQueueWorker(address, args.concurrency, log);
      log(`worker ${worker.name}: taking jobs from ${address.display} (concurrency ${args.concurrency})`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log(`worker ${worker.name}: ${signal}, finishing the jobs in hand`);
          void worker.close().then(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    },
  );
}
