import { measureLargeModel } from './large-model.js';

/** `node dist/bench/large-model-main.js <fixture>`: one large model's own figures as one JSON line (large-models.ts). */
const fixture = process.argv[2];
if (!fixture) {
  process.stderr.write('usage: large-model-main.js <fixture folder name>\n');
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(await measureLargeModel(fixture))}\n`);
