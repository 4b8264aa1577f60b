import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { getChip } from '../../chips/registry.js';
import { PASS_NAMES, compile } from '../../compiler/compile.js';
import { foldedAsModel } from '../../compiler/float/as-model.js';
import { foldNorm } from '../../compiler/passes/fold-norm.js';
import { printStage } from '../../compiler/pass.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import type { Model } from '../../models/graph/model.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { loadModel } from '../../models/load-model.js';
import { withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { argmax } from '../../models/reference/evaluate.js';
import { inferShapes } from '../../models/graph/shapes.js';
import { HAS_VGG_FIXTURE, VGG_FIXTURE, fixturePath } from '../helpers/fixtures.js';

function fixtureModel(name: string): Model {
  return loadModel(fixturePath(name, 'checkpoint.pth'), { arch: fixturePath(name, 'arch.json') }).model;
}

function frozenWithReferenceTable(model: Model, table: Record<string, number[]>): Model {
  const tables = new Map<string, Float32Array>();
  for (const n of model.nodes) if (n.kind === 'lif' && n.prefix && table[n.prefix]) tables.set(n.name, Float32Array.from(table[n.prefix]!));
  return withFrozenThresholds(model, tables);
}

const osr = () => frozenWithReferenceTable(fixtureModel('osr-fmnist-conv'), JSON.parse(readFileSync(fixturePath('osr-fmnist-conv', 'reference.json'), 'utf8')).frozenThresholds);
const ratebp = () => fixtureModel('ratebp-fmnist-conv');
const codes = (c: ReturnType<typeof compile>) => c.diagnostics.map((d) => d.code);

/**
 * Folding is an identity of the affine maps, so it is checked layer by layer: each conv/linear + norm pair and
 * its folded conv/linear see the same input (the real image for the first layer, random spikes after) and must
 * give the same currents within 1e-5 relative. Whole-network outputs are also compared: a current within float
 * rounding of the threshold can flip a spike, so there the check is agreement of the predictions.
 */
describe('fold-norm', () => {
  const pairs = (model: Model) => {
    const shapes = inferShapes(model);
    const folded = foldNorm(model, 'test').nodes.filter((n) => n.kind === 'conv2d' || n.kind === 'linear');
    return shapes.flatMap((s, i) => {
      const norm = model.nodes[i + 1];
      if ((s.node.kind !== 'conv2d' && s.node.kind !== 'linear') || norm?.kind !== 'norm') return [];
      const foldedNode = folded.find((f) => f.name === s.node.name)!;
      const single = (nodes: Model['nodes']): Model => ({ ...model, input: { ...model.input, shape: s.inputShape }, nodes, timesteps: 1 });
      return [
        {
          name: s.node.name,
          size: s.inputShape.reduce((a, b) => a * b, 1),
          unfolded: single([s.node, norm]),
          folded: foldedAsModel({ ...foldNorm(model, 'test'), input: { ...model.input, shape: s.inputShape }, timesteps: 1, nodes: [foldedNode] }),
          first: i === 0,
        },
      ];
    });
  };

  it.each([
    ['osr-fmnist-conv', osr],
    ['ratebp-fmnist-conv', ratebp],
  ] as const)('changes no current of %s by more than 1e-5 relative, layer by layer', (_name, make) => {
    const model = make();
    const images = loadFashionMnist(bundledFashionMnistDir(), 'test', 100);
    const layers = pairs(model);
    expect(layers.length).toBe(2);
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const layer of layers) {
      const input = layer.first ? imagesAsInput(images, model, 100) : Float32Array.from({ length: 100 * layer.size }, () => (random() < 0.15 ? 1 : 0));
      const a = new ReferenceExecutor(layer.unfolded, 100).run(input, 100, 'frozen').outputs;
      const b = new ReferenceExecutor(layer.folded, 100).run(input, 100, 'frozen').outputs;
      let worst = 0;
      let largest = 0;
      a.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(b[i]! - v));
        largest = Math.max(largest, Math.abs(v));
      });
      expect(worst / largest, layer.name).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each([
    ['osr-fmnist-conv', osr],
    ['ratebp-fmnist-conv', ratebp],
  ] as const)('leaves the predictions of %s unchanged on the first 500 test images', (_name, make) => {
    const model = make();
    const folded = foldedAsModel(foldNorm(model, 'test'));
    expect(folded.nodes.some((n) => n.kind === 'norm')).toBe(false);
    const input = imagesAsInput(loadFashionMnist(bundledFashionMnistDir(), 'test', 500), model, 500);
    const before = new ReferenceExecutor(model, 500).run(input, 500, 'frozen');
    const after = new ReferenceExecutor(folded, 500).run(input, 500, 'frozen');
    let same = 0;
    for (let s = 0; s < 500; s++) if (argmax(before.outputs, s * 10, 10) === argmax(after.outputs, s * 10, 10)) same++;
    expect(same).toBeGreaterThanOrEqual(498);
  });
});

describe('every fixture compiles', () => {
  it.each(['loihi2', 'tianjic'])('osr-fmnist-conv and ratebp-fmnist-conv compile for %s without errors', (chip) => {
    for (const model of [osr(), ratebp()]) {
      const result = compile(model, getChip(chip), { chips: 'auto', threshold: 'auto' });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.program!.chipCount).toBeGreaterThanOrEqual(1);
    }
  });

  it('reports where the input goes and the semantic mismatches', () => {
    expect(codes(compile(osr(), getChip('loihi2'), { chips: 'auto', threshold: 'auto' }))).toContain('I-INPUT-GRADED');
    const tianjic = codes(compile(osr(), getChip('tianjic'), { chips: 'auto', threshold: 'auto' }));
    expect(tianjic).toEqual(expect.arrayContaining(['I-INPUT-ANN', 'W-RESET-MODE', 'W-THRESHOLD-SCHEDULE']));
  });

  it('compiles both fixtures for loihi with the semantic warnings (reset, threshold table, host input)', () => {
    const a = compile(osr(), getChip('loihi'), { chips: 'auto', threshold: 'auto' });
    expect(a.ok).toBe(true);
    expect(codes(a)).toEqual(expect.arrayContaining(['W-RESET-MODE', 'W-THRESHOLD-SCHEDULE', 'W-INPUT-HOST']));
    const b = compile(ratebp(), getChip('loihi'), { chips: 'auto', threshold: 'auto' });
    expect(b.ok).toBe(true);
    expect(codes(b)).toEqual(expect.arrayContaining(['W-RESET-MODE', 'W-INPUT-HOST', 'W-DECAY']));
    expect(codes(b)).not.toContain('W-THRESHOLD-SCHEDULE');
  });

  it('refuses the per-step table on loihi when the schedule is demanded', () => {
    const strict = compile(osr(), getChip('loihi'), { chips: 'auto', threshold: 'schedule' });
    expect(strict.ok).toBe(false);
    expect(codes(strict)).toContain('E-THRESHOLD-SCHEDULE');
  });

  it('prints the bundled model compiled for loihi2 as its golden text', async () => {
    const result = compile(readModelFile(bundledModelPath()), getChip('loihi2'), { chips: 1, threshold: 'auto' });
    await expect(printChipProgram(result.program!, getChip('loihi2'))).toMatchFileSnapshot('../golden/bundled-loihi2.chip.txt');
  });

  it('round-trips the IR byte for byte and compiles twice to identical bytes', () => {
    for (const chip of ['loihi', 'loihi2', 'tianjic']) {
      const first = encodeChipProgram(compile(osr(), getChip(chip), { chips: 'auto', threshold: 'auto' }).program!);
      const second = encodeChipProgram(compile(osr(), getChip(chip), { chips: 'auto', threshold: 'auto' }).program!);
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      const again = encodeChipProgram(decodeChipProgram(first, `${chip}.chip.pb`));
      expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    }
  });

  it('fails on one chip when the model needs more, and says how many', () => {
    const result = compile(osr(), getChip('tianjic'), { chips: 1, threshold: 'auto' });
    const e = result.diagnostics.find((d) => d.code === 'E-CHIPS')!;
    expect(e.limit).toBe(1);
    expect(e.value).toBe(result.program!.chipCount);
    expect(e.message).toMatch(/^E-CHIPS: \d+ chips needed > 1 \(.*--chips auto\)$/);
  });
});

describe.skipIf(!HAS_VGG_FIXTURE)(`VGGSNN with --chips auto (needs ${VGG_FIXTURE}; skipped where ../shared is absent)`, () => {
  const vgg = () => {
    const model = loadModel(join(VGG_FIXTURE, 'checkpoint.pth')).model;
    return frozenWithReferenceTable(model, JSON.parse(readFileSync(join(VGG_FIXTURE, 'reference.json'), 'utf8')).frozenThresholds);
  };
  it.each(['loihi', 'loihi2', 'tianjic'])('compiles for %s onto as many chips as it needs', (chip) => {
    const result = compile(vgg(), getChip(chip), { chips: 'auto', threshold: 'auto' });
    expect(result.ok).toBe(true);
    expect(result.program!.chipCount).toBeGreaterThan(1);
    expect(result.diagnostics.find((d) => d.code === 'I-CHIPS')!.message).toMatch(new RegExp(`on ${result.program!.chipCount} chips`));
  });
});

describe('every pass prints', () => {
  it('matches the golden text of each stage for the bundled model on loihi2, one file per pass of the list', async () => {
    const { stages } = compile(readModelFile(bundledModelPath()), getChip('loihi2'), { chips: 1, threshold: 'auto' });
    expect(stages.map((s) => s.pass.name)).toEqual(PASS_NAMES);
    for (const [index, name] of PASS_NAMES.entries()) {
      await expect(printStage(stages, name)).toMatchFileSnapshot(`../golden/passes/${String(index + 1).padStart(2, '0')}-${name}.txt`);
    }
  });
});
