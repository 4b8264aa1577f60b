#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { registerCheck } from './commands/check.js';
import { registerChipSpec } from './commands/chip-spec.js';
import { registerCompile } from './commands/compile.js';
import { registerConvert } from './commands/convert.js';
import { registerDemo } from './commands/demo.js';
import { registerRecost } from './commands/recost.js';
import { registerReport } from './commands/report.js';
import { registerSimulate } from './commands/simulate.js';
import { registerEval } from './commands/eval.js';
import { registerEvents } from './commands/events.js';
import { registerExport } from './commands/export.js';
import { registerInspect } from './commands/inspect.js';
import { registerLearn } from './commands/learn.js';
import { registerTrain } from './commands/train.js';
import { registerWorker } from './commands/worker.js';
import { registerQueue } from './commands/queue.js';
import { registerSweep } from './commands/sweep.js';
import { MEMORY_BUDGET_VARIABLE, parseByteSize, setMemoryBudget } from '../models/memory-budget.js';
import { commandName } from './command-name.js';
import { exitCode, failureLines, oneLine, UsageError } from './failure.js';

async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv).scriptName('spikechip').usage('$0 <command> [options]');
  cli = registerEval(cli);
  cli = registerInspect(cli);
  cli = registerConvert(cli);
  cli = registerCompile(cli);
  cli = registerCheck(cli);
  cli = registerChipSpec(cli);
  cli = registerSimulate(cli);
  cli = registerRecost(cli);
  cli = registerReport(cli);
  cli = registerDemo(cli);
  cli = registerEvents(cli);
  cli = registerExport(cli);
  cli = registerTrain(cli);
  cli = registerLearn(cli);
  cli = registerWorker(cli);
  cli = registerQueue(cli);
  cli = registerSweep(cli);
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
