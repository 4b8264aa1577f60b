import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { calibrationInput } from '../../cli/calibration-input.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { calibrateOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { serializeModel } from '../../models/format/model-file.js';
import { runCliAsync } from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'spikechip-parallel-workers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const data = bundledFashionMnistDir();

/**
 * eval runs the float reference, and compile, convert and eval freeze OTS, over worker threads (the CLI runs from
 * dist, where the workers run): what they print and write is what one thread gives.
 */
describe('the float reference and OTS calibration over worker threads in the CLI', () => {
  it('eval prints the same report with 1 and 2 workers: accuracy, spikes, thresholds, outputs, NeuroBench metrics', async () => {
    const args = (workers: number, thresholds: string) => [
      'eval',
      '--data',
      data,
      '--limit',
      '70',
      '--batch',
      '30',
      '--calibration',
      '40',
      '--thresholds',
      thresholds,
      '--outputs',
      '--json',
      '--workers',
      String(workers),
    ];
    for (const thresholds of ['frozen', 'dynamic']) {
      const [one, two] = await Promise.all([runCliAsync(args(1, thresholds)), runCliAsync(args(2, thresholds))]);
      expect(one.status, one.stderr).toBe(0);
      expect(two.status, two.stderr).toBe(0);
      expect(JSON.parse(two.stdout).samples).toBe(70);
      expect(two.stdout).toBe(one.stdout);
    }
  }, 120_000);

  it('compile writes the same chip program with 1 and 2 workers as compile() calibrating in its pass', async () => {
    const out = (workers: number) => join(scratch, `w${workers}.chip.pb`);
    const runs = await Promise.all(
      [1, 2].map((w) => runCliAsync(['compile', bundledModelPath(), '--chip', 'loihi2', '--calibration', '48', '--data', data, '--workers', String(w), '-o', out(w), '--json'])),
    );
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const model = readModelFile(bundledModelPath());
    const calibration = calibrationInput(model, { count: 48, data });
    const serial = compile(model, getChip('loihi2'), { chips: 1, threshold: 'auto', calibration });
    const expected = Buffer.from(encodeChipProgram(serial.program!));
    expect(readFileSync(out(1)).equals(expected)).toBe(true);
    expect(readFileSync(out(2)).equals(expected)).toBe(true);
  }, 120_000);

  it('convert writes the same model file with 1 and 2 workers as calibrateOts', async () => {
    const out = (workers: number) => join(scratch, `w${workers}.snnmodel`);
    const runs = await Promise.all(
      [1, 2].map((w) => runCliAsync(['convert', bundledModelPath(), '--calibration', '48', '--data', data, '--workers', String(w), '-o', out(w), '--json'])),
    );
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const model = readModelFile(bundledModelPath());
    const calibration = calibrationInput(model, { count: 48, data });
    const expected = Buffer.from(serializeModel(withFrozenThresholds(model, calibrateOts(model, calibration.input, calibration.count))));
    expect(readFileSync(out(1)).equals(expected)).toBe(true);
    expect(readFileSync(out(2)).equals(expected)).toBe(true);
  }, 120_000);
});
