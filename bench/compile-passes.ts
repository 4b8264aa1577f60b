import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipProgram } from '../chips/ir/chip-program.js';
import { getChip } from '../chips/registry.js';
import { check } from '../compiler/check.js';
import { compile, PIPELINE, type CompileOptions } from '../compiler/compile.js';
import { calibrateFolded } from '../compiler/float/calibrate-folded.js';
import type { Pass } from '../compiler/pass.js';
import { modelFileSha256 } from '../models/format/model-file.js';
import { loadModel } from '../models/load-model.js';
import { packageRoot } from '../models/package-root.js';

/**
 * `node dist/bench/compile-passes.js [fixture] [--runs N] [--chip NAME] [--json]`: seconds of every compiler pass
 * on a shared fixture (default osr-vggsnn-cifar-random), calibrated once as `compile --calibration-input` does,
 * then `runs` times: the model hash, each pass, check, and a whole compile() whose program bytes' SHA-256 is
 * printed, so a change that speeds a pass up can show it changed no byte. The first run includes the JIT's warm-up.
 */
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const fixture = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs' && args[i - 1] !== '--chip') ?? 'osr-vggsnn-cifar-random';
const runs = Number(option('--runs') ?? 3);
const json = args.includes('--json');
const dir = resolve(packageRoot(), '..', 'shared', 'fixtures', fixture);
const calibrationFile = existsSync(dir) ? readdirSync(dir).find((f) => /^calibration-\d+x.*\.f32$/.test(f)) : undefined;
if (!calibrationFile || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`compile-passes: needs ${dir} with a calibration-<count>x...f32 file, and --runs a positive integer\n`);
  process.exit(1);
}

let started = performance.now();
const { model } = loadModel(join(dir, 'checkpoint.pth'));
const loadSeconds = (performance.now() - started) / 1000;
const bytes = readFileSync(join(dir, calibrationFile));
const input = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const count = Number(/^calibration-(\d+)x/.exec(calibrationFile)![1]);
started = performance.now();
const tables = await calibrateFolded(model, input, count);
const calibrationSeconds = (performance.now() - started) / 1000;
const chip = getChip(option('--chip') ?? 'loihi2');
const options: CompileOptions = { chips: 'auto', threshold: 'auto', calibration: { input, count, tables } };

const seconds = (since: number) => (performance.now() - since) / 1000;
const results = [];
for (let run = 0; run < runs; run++) {
  const passes: Record<string, number> = {};
  started = performance.now();
  const modelSha256 = modelFileSha256(model);
  passes['model hash'] = seconds(started);
  let value: unknown = model;
  for (const pass of PIPELINE.passes) {
    started = performance.now();
    value = (pass as unknown as Pass<unknown, unknown>).run(value, { chip, options, modelSha256 }).output;
    passes[pass.name] = seconds(started);
  }
  started = performance.now();
  check(value as ChipProgram, chip);
  passes.check = seconds(started);
  started = performance.now();
  const { program } = compile(model, chip, options);
  const compileSeconds = seconds(started);
  const programSha256 = createHash('sha256').update(encodeChipProgram(program!)).digest('hex');
  results.push({ compileSeconds, passes, programSha256 });
}

if (json) process.stdout.write(`${JSON.stringify({ fixture, chip: chip.name, loadSeconds, calibrationSeconds, runs: results }, null, 2)}\n`);
else {
  process.stdout.write(`${fixture} on ${chip.name}: checkpoint load ${loadSeconds.toFixed(3)} s, calibration ${calibrationSeconds.toFixed(3)} s\n`);
  for (const [run, r] of results.entries()) {
    const passes = Object.entries(r.passes).map(([name, s]) => `${name} ${s.toFixed(3)}`);
    process.stdout.write(`run ${run}: compile() ${r.compileSeconds.toFixed(3)} s | ${passes.join(', ')} | program sha256 ${r.programSha256.slice(0, 16)}\n`);
  }
}
