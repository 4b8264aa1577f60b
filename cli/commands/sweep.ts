import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Argv } from 'yargs';
import { parseQueueUrl } from '../../cluster/queue-url.js';
import { describeOverrides } from '../../cluster/sweep/chip-overrides.js';
import { readSweepFile } from '../../cluster/sweep/sweep-file.js';
import { runSweep } from '../../cluster/sweep/run-sweep.js';
import { TABLE_FORMAT, tableToCsv, type SweepRow, type SweepTable } from '../../cluster/sweep/sweep-row.js';
import { renderSweepPage } from '../../report/sweep-page.js';
import { count, threads } from '../arguments.js';
import { UsageError } from '../failure.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';
import { emit, percent, progressBar } from '../output.js';

interface SweepArgs {
  sweep: string;
  output?: string;
  html?: string;
  resume: boolean;
  queue?: string;
  threads?: number;
  jobTimeLimit?: number;
  json: boolean;
}

/** `spikechip sweep`: every point of a design space compiled, checked, simulated and priced, as one table. */
export function registerSweep(yargs: Argv): Argv {
  return yargs.command<SweepArgs>(
    'sweep <sweep>',
    'Compile, check, simulate and price every point of a design space (models x chips x overrides x profiles ...): a JSON/CSV table and a Pareto page',
    (y) =>
      y
        .positional('sweep', {
          type: 'string',
          demandOption: true,
          describe:
            'sweep JSON: {"models": [...], "chips": [...], "profiles"?, "overrides"?, "thresholds"?, "chipBudgets"?, "encodings"?, "learningRules"?, "learningSamples"?, "seed"?, "data"?, "limit"?}',
        })
        .option('output', { alias: 'o', type: 'string', describe: 'write the table: .json (the one --resume reads) or .csv' })
        .option('html', { type: 'string', describe: 'write a self-contained HTML page with the accuracy-energy and accuracy-latency Pareto fronts' })
        .option('resume', { type: 'boolean', default: false, describe: 'keep the rows of the existing -o table and run only the missing points' })
        .option('queue', { type: 'string', describe: 'run the points as jobs on a Redis queue served by `spikechip worker`s: redis://[user:password@]host:port[/db]' })
        .option('threads', { type: 'number', coerce: threads('threads'), describe: 'local worker threads, one point each (default: one per CPU core)' })
        .option('job-time-limit', {
          type: 'number',
          coerce: count('job-time-limit'),
          describe: "with --queue: seconds after which a worker terminates a point's thread and the job is retried (default: from the point's work once compiled)",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print the table as one JSON object' }) as Argv<SweepArgs>,
    async (args) => {
      if (args.jobTimeLimit !== undefined && !args.queue) throw new UsageError('--job-time-limit limits the jobs of a queue run: give it with --queue');
      const format = args.output === undefined ? null : extname(args.output).toLowerCase();
      if (format !== null && format !== '.json' && format !== '.csv') throw new UsageError(`-o ${args.output}: name a .json or .csv file`);
      if (args.resume && format !== '.json') throw new UsageError('--resume reads the table written before: give it with -o <table>.json');
      checkOutputs(
        'sweep',
        [
          { option: 'output', path: args.output },
          { option: 'html', path: args.html },
        ],
        [args.sweep],
      );
      const sweep = readSweepFile(args.sweep);
      const previous = args.resume && args.output && existsSync(args.output) ? readTable(args.output) : null;
      const bar = progressBar('sweep', !args.json);
      const table = await runSweep({
        sweep,
        previous,
        ...(args.queue ? { queue: parseQueueUrl(args.queue) } : {}),
        ...(args.threads ? { threads: args.threads } : {}),
        jobTimeLimitSeconds: args.jobTimeLimit,
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      if (args.output) writeOutputFile(args.output, format === '.csv' ? tableToCsv(table) : `${JSON.stringify(table, null, 2)}\n`);
      if (args.html)
        writeOutputFile(
          args.html,
          renderSweepPage(
            `Sweep ${args.sweep}`,
            table.rows.map((r) => ({ ...r, label: rowLabel(r) })),
          ),
        );
      emit(args.json, table, () => formatTable(table));
    },
  );
}

function readTable(path: string): SweepTable {
  let table: Partial<SweepTable>;
  try {
    table = JSON.parse(readFileSync(path, 'utf8')) as Partial<SweepTable>;
  } catch (error) {
    throw new UsageError(`--resume: ${path} is not a sweep table (${(error as Error).message})`);
  }
  if (table.format !== TABLE_FORMAT || !Array.isArray(table.rows)) throw new UsageError(`--resume: ${path} is not a sweep table (format ${TABLE_FORMAT})`);
  return table as SweepTable;
}

function rowLabel(r: SweepRow): string {
  const options = [
    Object.keys(r.overrides).length ? describeOverrides(r.overrides) : '',
    r.threshold !== 'auto' ? `threshold ${r.threshold}` : '',
    r.chipBudget !== 1 ? `chips ${r.chipBudget}` : '',
    r.encoding !== 'direct' ? r.encoding : '',
    r.learningRule ? `learned ${r.learningRule} on ${r.learningSamples} images` : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  return `${r.model} on ${r.chip}${options ? ` (${options})` : ''}, ${r.profile}`;
}

function formatTable(table: SweepTable): string {
  const lines = table.rows.map((r) => {
    const measured =
      r.status === 'ok'
        ? `accuracy ${percent(r.accuracy!)}  energy ${(r.energyPerInferenceJ! * 1e6).toFixed(3)} uJ  latency ${(r.latencyPerInferenceS! * 1e6).toFixed(2)} us  cores ${r.coresUsed}`
        : `${r.status}: ${r.message ?? ''}`;
    return `${rowLabel(r)}\n    ${measured}`;
  });
  return [`sweep ${table.sweep}: ${table.rows.length} rows`, ...lines].join('\n');
}
