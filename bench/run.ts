import { benchCompileVgg } from './compile-vgg.js';
import { benchFloatReference } from './float-reference.js';

/** `npm run bench [-- --limit N]`: prints one JSON object with every benchmark of this run. */
function main(argv: string[]): void {
  const limitAt = argv.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : undefined;
  const result = { floatReference: benchFloatReference(limit), compileVggLoihi2: benchCompileVgg() };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main(process.argv.slice(2));
