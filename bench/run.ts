import { benchChipSimulation } from './chip-simulation.js';
import { benchCompileVgg } from './compile-vgg.js';
import { benchCuba } from './cuba.js';
import { benchFloatReference } from './float-reference.js';
import { benchTrainFixtures } from './train-fixtures.js';

/**
 * `npm run bench [-- --limit N]`: prints one JSON object with every benchmark of this run.
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
  const floatReference = benchFloatReference(limit);
  const chipSimulation = await benchChipSimulation(limit);
  const result = {
    floatReference,
    chipSimulation,
    chipImagesPerSec: chipSimulation.imagesPerSec,
    chipToFloatRatio: chipSimulation.imagesPerSec / floatReference.imagesPerSec,
    compileVggLoihi2: benchCompileVgg(),
    cuba: benchCuba(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main(process.argv.slice(2));
