import { benchChipSimulation } from './chip-simulation.js';
import { benchCompileVgg } from './compile-vgg.js';
import { benchCuba } from './cuba.js';
import { benchFloatReference } from './float-reference.js';
import { benchQueue } from './queue.js';
import { benchLargeModels } from './large-models.js';
import { statusLine } from './status-line.js';
import { benchSummary } from './summary.js';
import { benchTrainFixtures } from './train-fixtures.js';

const PARTS = ['float', 'chip', 'vgg', 'cuba', 'models', 'queue'] as const;
type Part = (typeof PARTS)[number];

/**
 * `npm run bench [-- --limit N] [--only float,chip,vgg,cuba,models] [--busy] [--json]`: prints every benchmark of this run (or only
 * the named parts; the definitions are the same either way), as lines to read or, with --json, one JSON object.
 * `npm run bench -- --train [--rule osr|rate] [--samples N]`: only the host-training benchmark (tens of minutes).
 */
async function main(argv: string[]): Promise<void> {
  if (argv.includes('--train')) {
    const trainFixtures = await benchTrainFixtures(argv, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${JSON.stringify({ trainFixtures }, null, 2)}\n`);
    return;
  }
  const limitAt = argv.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : undefined;
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : [...PARTS];
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--only takes ${PARTS.join(', ')}; got ${unknown.join(', ')}`);
  const want = (part: Part) => only.includes(part);
  const status = statusLine();
  const stage = (what: string) => status.show(`bench: ${what}...`);
  const floatReference = want('float') || want('chip') ? (stage('the float reference'), await benchFloatReference(limit)) : undefined;
  const chipSimulation = want('chip') ? (stage('the chip simulation'), await benchChipSimulation(limit)) : undefined;
  const models = want('models') ? benchLargeModels(stage) : undefined;
  const compileVggLoihi2 = want('vgg') ? (stage('compiling the VGGSNN'), await benchCompileVgg()) : undefined;
  const cuba = want('cuba') ? await benchCuba(undefined, stage) : undefined;
  // --busy: the same rows again beside a CPU-bound process (a shared machine), after the quiet ones.
  if (cuba && argv.includes('--busy')) cuba.push(...(await benchCuba(undefined, stage, true)));
  const queue = want('queue') ? await benchQueue(limit, stage) : undefined;
  status.done();
  const result = {
    floatReference,
    chipSimulation,
    chipImagesPerSec: chipSimulation?.imagesPerSec,
    chipToFloatRatio: chipSimulation && floatReference ? chipSimulation.imagesPerSec / floatReference.imagesPerSec : undefined,
    compileVggLoihi2,
    cuba,
    queue,
    models,
  };
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(result, null, 2)}\n` : benchSummary(result));
}

void main(process.argv.slice(2));
