import { benchChipSimulation } from './chip-simulation.js';
import { benchCompileVgg } from './compile-vgg.js';
import { benchCuba } from './cuba.js';
import { benchFloatReference } from './float-reference.js';

/** `npm run bench [-- --limit N]`: prints one JSON object with every benchmark of this run. */
async function main(argv: string[]): Promise<void> {
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
