#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Argv } from 'yargs';
import { MEMORY_BUDGET_VARIABLE, parseByteSize, setMemoryBudget } from '../models/memory-budget.js';
import { commandName } from './command-name.js';
import { exitCode, failureLines, oneLine, UsageError } from './failure.js';

type Register = (cli: Argv) => Argv;

/**
 * Each command's module, loaded on demand: a command run loads only its own (a queue worker process starts in a
 * third of the time it took to load every command's readers, compiler and simulator), `--help` loads them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  eval: async () => (await import('./commands/eval.js')).registerEval,
  inspect: async () => (await import('./commands/inspect.js')).registerInspect,
  convert: async () => (await import('./commands/convert.js')).registerConvert,
  compile: async () => (await import('./commands/compile.js')).registerCompile,
  check: async () => (await import('./commands/check.js')).registerCheck,
  'chip-spec': async () => (await import('./commands/chip-spec.js')).registerChipSpec,
  simulate: async () => (await import('./commands/simulate.js')).registerSimulate,
  recost: async () => (await import('./commands/recost.js')).registerRecost,
  report: async () => (await import('./commands/report.js')).registerReport,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  events: async () => (await import('./commands/events.js')).registerEvents,
  export: async () => (await import('./commands/export.js')).registerExport,
  train: async () => (await import('./commands/train.js')).registerTrain,
  learn: async () => (await import('./commands/learn.js')).registerLearn,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  queue: async () => (await import('./commands/queue.js')).registerQueue,
  sweep: async () => (await import('./commands/sweep.js')).registerSweep,
};

/** The named command's registration alone, or every command's (no command, an option first, a name not known). */
async function registrations(first: string | undefined): Promise<Register[]> {
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? [COMMANDS[first]!] : Object.values(COMMANDS);
  return Promise.all(named.map((load) => load()));
}

async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv).scriptName('spikechip').usage('$0 <command> [options]');
  for (const register of await registrations(argv[0])) cli = register(cli);
  await cli
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .help()
    .alias('h', 'help')
    .option('max-memory', {
      type: 'string',
      global: true,
      describe: `memory the readers may use, e.g. 512M or 2G (default: a quarter of RAM, at most 512M; or set ${MEMORY_BUDGET_VARIABLE})`,
      coerce: (text: string) => {
        const bytes = parseByteSize(text);
        if (bytes === undefined) throw new UsageError(`--max-memory ${JSON.stringify(text)} is not a size of at least 1M (e.g. 512M, 2G, or bytes)`);
        setMemoryBudget(bytes);
        return bytes;
      },
    })
    .fail((message, error) => {
      // yargs' own refusals (and a coerce that threw) come as YError or a message alone: usage errors, one line.
      if (!error || error.name === 'YError') throw new UsageError(oneLine(message ?? error?.message ?? 'bad command line'));
      throw error;
    })
    .parseAsync();
}

const argv = hideBin(process.argv);
function fail(error: unknown): void {
  process.stderr.write(`${failureLines(commandName(argv), error).join('\n')}\n`);
  process.exitCode = exitCode(error);
}
main(argv).catch(fail);
// An error thrown outside the command's promise (a callback, a worker's event) gets the same one line, not Node's stack.
process.on('uncaughtException', (error) => {
  fail(error);
  process.exit();
});
process.on('unhandledRejection', (error) => {
  fail(error);
  process.exit();
});
