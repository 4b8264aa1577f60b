import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepRow, SweepTable } from '../../cluster/sweep/sweep-row.js';
import { runCli } from '../helpers/run-cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { sinabsFrames, SWEEP_18 } from './sweep-files.js';

/**
 * `spikechip sweep` run as a user runs it, from the compiled CLI: the smallest sweep file, the 18-point
 * sweep over three neurons-per-core limits (some points do not fit), --resume, CSV, and sweep files it refuses.
 */
const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-sweep-'));

function writeSweep(dir: string, sweep: unknown): string {
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(sweep));
  return file;
}

const summary = (rows: readonly SweepRow[]) => rows.map((r) => `${r.chip} ${JSON.stringify(r.overrides)} ${r.profile}: ${r.status}`);

describe('spikechip sweep', () => {
  it("runs the issue's smallest sweep file: a row per chip and profile, a chip without the profile says so", () => {
    const dir = scratch();
    // Exactly the file, run from the repository root as the issue runs it.
    const file = writeSweep(dir, { models: ['models/bundled/osr-fmnist-conv.snnmodel'], chips: ['loihi', 'loihi2', 'tianjic'], profiles: ['davies2018', 'sanafe'], limit: 100 });
    const table = join(dir, 'table.json');
    const run = runCli(['sweep', file, '--json', '-o', table]);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as SweepTable;
    expect(readFileSync(table, 'utf8')).toBe(run.stdout);
    expect(summary(printed.rows)).toEqual([
      'loihi {} davies2018: ok',
      'loihi {} sanafe: ok',
      'loihi2 {} davies2018: ok',
      'loihi2 {} sanafe: no-profile',
      'tianjic {} davies2018: does-not-fit',
      'tianjic {} sanafe: does-not-fit',
    ]);
    const [loihi, loihiSanafe, , loihi2Sanafe, tianjic] = printed.rows;
    expect(loihi!.samples).toBe(100);
    expect(loihi!.accuracy).toBeGreaterThan(0.8);
    expect(loihi!.accuracy).toBe(loihiSanafe!.accuracy); // one simulation, priced twice
    expect(loihi!.energyPerInferenceJ).not.toBe(loihiSanafe!.energyPerInferenceJ);
    expect(loihi!.coresUsed).toBeGreaterThan(0);
    expect(loihi2Sanafe!.message).toMatch(/chip loihi2 has no cost profile 'sanafe' \(it has: davies2018\)/);
    expect(loihi2Sanafe!.energyPerInferenceJ).toBeNull();
    expect(tianjic!.message).toMatch(/^E-CHIPS: /);
    expect(tianjic!.diagnostics.some((d) => d.startsWith('error E-CHIPS'))).toBe(true);
  });

  let dir: string;
  let table: string;
  let tableText: string;

  beforeAll(() => {
    dir = scratch();
    table = join(dir, 'table.json');
    const run = runCli(['sweep', writeSweep(dir, SWEEP_18), '-o', table, '--html', join(dir, 'page.html')]);
    expect(run.status, run.stderr).toBe(0);
    tableText = readFileSync(table, 'utf8');
  });

  it('runs 18 points over three neurons-per-core limits; those that do not fit are rows with their diagnostics', () => {
    const rows = (JSON.parse(tableText) as SweepTable).rows;
    expect(rows).toHaveLength(18);
    const fits = rows.filter((r) => r.status === 'ok');
    const refused = rows.filter((r) => r.status === 'does-not-fit');
    expect(fits.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.diagnostics.filter((d) => d.startsWith('error ')).length).toBeGreaterThan(0);
    // Fewer neurons per core: more cores for the same model on the same chip.
    const cores = (limit: number | undefined) => rows.find((r) => r.chip === 'loihi' && r.profile === 'davies2018' && r.overrides['core.maxNeurons'] === limit)!.coresUsed!;
    expect(cores(256)).toBeGreaterThan(cores(undefined));
    const page = readFileSync(join(dir, 'page.html'), 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).toContain('Pareto front');
  });

  it('--resume keeps the rows it has and runs only the missing points', () => {
    const rows = (JSON.parse(tableText) as SweepTable).rows;
    // A marker in a kept row proves it was not recomputed; the dropped point comes back as it was.
    const edited = { ...(JSON.parse(tableText) as SweepTable), rows: rows.filter((_, i) => i !== 2 && i !== 3).map((r, i) => (i === 0 ? { ...r, accuracy: 0.123 } : r)) };
    const resumed = join(dir, 'resumed.json');
    writeFileSync(resumed, JSON.stringify(edited));
    const run = runCli(['sweep', join(dir, 'sweep.json'), '-o', resumed, '--resume']);
    expect(run.status, run.stderr).toBe(0);
    const after = (JSON.parse(readFileSync(resumed, 'utf8')) as SweepTable).rows;
    expect(after[0]!.accuracy).toBe(0.123);
    expect(after.slice(1)).toEqual(rows.slice(1));
  });

  it('writes CSV with a header and one line per row', () => {
    const csv = join(dir, 'table.csv');
    const run = runCli(['sweep', join(dir, 'sweep.json'), '-o', csv, '--threads', '1']);
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model,chip,overrides,profile,threshold,chipBudget,encoding,seed,samples,status,accuracy,energyPerInferenceJ/);
    expect(lines).toHaveLength(19);
    expect(lines[3]).toMatch(/^bundled,loihi,core\.maxNeurons=256,davies2018,auto,1,direct,1,50,ok,/);
  });

  it('takes a chip spec file and chip budgets: tianjic fits on as many chips as it needs', () => {
    const own = scratch();
    const spec = runCli(['chip-spec', 'tianjic']);
    expect(spec.status, spec.stderr).toBe(0);
    writeFileSync(join(own, 'my-tianjic.json'), JSON.stringify({ ...JSON.parse(spec.stdout), name: 'my-tianjic' }));
    const file = writeSweep(own, { models: ['bundled'], chips: ['my-tianjic.json'], chipBudgets: [1, 'auto'], limit: 20 });
    const run = runCli(['sweep', file, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as SweepTable).rows;
    expect(rows.map((r) => `${r.chip} ${r.chipBudget} ${r.profile}: ${r.status}`)).toEqual([
      'my-tianjic.json 1 estimate-400mW: does-not-fit',
      'my-tianjic.json auto estimate-400mW: ok',
    ]);
    expect(rows[1]!.chipsUsed).toBeGreaterThan(1);
    expect(rows[1]!.energyPerInferenceJ).toBeGreaterThan(0);
  });

  it('learns on the chip before testing, per learning rule: the learned program is the one tested', () => {
    const dir = scratch();
    const file = writeSweep(dir, { models: ['bundled'], chips: ['loihi2', 'tianjic'], chipBudgets: ['auto'], learningRules: ['none', 'rate'], learningSamples: 40, limit: 30 });
    const run = runCli(['sweep', file, '--json', '--threads', '1']);
    expect(run.status, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as SweepTable).rows;
    expect(rows.map((r) => `${r.chip} ${r.learningRule ?? 'none'} ${r.learningSamples ?? '-'}: ${r.status}`)).toEqual([
      'loihi2 none -: ok',
      'loihi2 rate 40: ok',
      'tianjic none -: ok',
      'tianjic rate 40: error',
    ]);
    expect(rows[3]!.message).toMatch(/no learning engine/);
    // The same chip and test images; the rate rule moved the last layer's weights, and with them the test run.
    const [plain, learned] = [rows[0]!, rows[1]!];
    expect(learned.key).not.toBe(plain.key);
    expect([learned.accuracy, learned.spikesPerInference, learned.energyPerInferenceJ]).not.toEqual([plain.accuracy, plain.spikesPerInference, plain.energyPerInferenceJ]);
  });

  it('sweeps a model of another input shape on data of another format (a NIR model, float32 frames in an .npy)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'frames.npy'), sinabsFrames(8));
    const sinabs = fixturePath('nir', 'cnn_sinabs.nir');
    const run = runCli(['sweep', writeSweep(dir, { models: [sinabs], chips: ['loihi2', 'loihi'], data: 'frames.npy', limit: 6 }), '--json', '--threads', '1']);
    expect(run.status, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as SweepTable).rows;
    expect(rows.map((r) => `${r.chip} ${r.samples}: ${r.status}`)).toEqual(['loihi2 6: ok', 'loihi 6: ok']);
    expect(rows[0]!.spikesPerInference).toBeGreaterThan(0);
    expect(rows[0]!.energyPerInferenceJ).toBeGreaterThan(0);
    // The bundled model takes [1, 28, 28]: the same data cannot feed it, and the sweep says which model and why.
    const mixed = runCli(['sweep', writeSweep(dir, { models: [sinabs, 'bundled'], chips: ['loihi2'], data: 'frames.npy' }), '--json']);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(/sweep\.json: \$\.models\[1\] \(bundled\): \S+frames\.npy: .*\[8, 2, 34, 34\].*\[1, 28, 28\]/);
    expect(mixed.stdout).toBe('');
    const learning = runCli(['sweep', writeSweep(dir, { models: [sinabs], chips: ['loihi2'], data: 'frames.npy', learningRules: ['rate'] }), '--json']);
    expect(learning.status).toBe(1);
    expect(learning.stderr).toMatch(/\$\.learningRules: learning points learn from Fashion-MNIST training images/);
  });

  it.each([
    [{ models: ['bundled'], chips: ['loihi'], learningRules: ['hebbian'] }, /sweep\.json: \$\.learningRules\[0\]: expected one of "none", "ottt", "ottt-accumulated", "rate"/],
    [{ models: ['bundled'], chips: ['loihi'], learningSamples: 50 }, /sweep\.json: \$\.learningSamples: expected a learning rule in \$\.learningRules/],
    [{ models: ['bundled'], chips: ['loihi'], learningRules: ['rate'], learningSamples: 0 }, /sweep\.json: \$\.learningSamples: expected an integer in 1\.\.60000/],
    [{ models: [], chips: ['loihi'] }, /sweep\.json: \$\.models\.length: expected an integer in 1\.\.256, found the number 0/],
    [{ models: ['bundled'], chips: ['loihi'], profile: ['sanafe'] }, /sweep\.json: \$\.profile: expected no such field \(allowed: models, chips, overrides/],
    [{ models: ['no-such.snnmodel'], chips: ['loihi'] }, /sweep\.json: \$\.models\[0\]: expected a model file or "bundled"/],
    [
      { models: ['bundled'], chips: ['loihi'], overrides: [{ 'core.maxNeuron': 64 }] },
      /^spikechip sweep: \S+sweep\.json: overrides "core\.maxNeuron": chip loihi has no number or boolean field core\.maxNeuron/,
    ],
    [{ models: ['bundled'], chips: ['loihi'], limit: 0 }, /sweep\.json: \$\.limit: expected an integer in 1\.\.10000000, found the number 0/],
  ])('refuses a bad sweep file with the file and field, writing nothing (%#)', (sweep, message) => {
    const bad = scratch();
    const out = join(bad, 'out.json');
    const run = runCli(['sweep', writeSweep(bad, sweep), '-o', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
