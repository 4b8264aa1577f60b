import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { CompileError } from '../../compiler/errors.js';
import { lifKey, type Model } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { simulateDataset } from '../../simulator/parallel.js';
import { hasSharedFixture, readF32, sharedFixture } from '../helpers/fixtures.js';

const AUTO = { chips: 'auto', threshold: 'auto' } as const;

interface Reference {
  frozenThresholds: Record<string, number[]> | null;
  spikeCounts: Record<string, number[]>;
}

/** The fixture's model with the frozen OTS table PyTorch computed (so no calibration run is needed here). */
function frozenFixture(name: string): { model: Model; ref: Reference; dir: string } {
  const dir = sharedFixture(name);
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  const { model } = loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') });
  const nodes = model.nodes.map((n) =>
    n.kind === 'lif' && n.threshold.kind === 'ots' ? { ...n, threshold: { ...n.threshold, frozen: Float32Array.from(ref.frozenThresholds![lifKey(n)]!) } } : n,
  );
  return { model: { ...model, nodes }, ref, dir };
}

const SIMULATED = [
  ['ratebp-resnet-small-random', 'inputs-4x3x32x32.f32'],
  ['osr-sewresnet-small-random', 'inputs-4x3x64x64.f32'],
] as const;

describe('residual fixtures on loihi2 with --chips auto (skipped where ../shared is absent)', () => {
  for (const [name, inputs] of SIMULATED) {
    it.skipIf(!hasSharedFixture(name))(`${name}: compiles, and the chip's spikes per layer stay within 5 % of PyTorch's`, async () => {
      const { model, ref, dir } = frozenFixture(name);
      const compiled = compile(model, getChip('loihi2'), AUTO);
      expect(compiled.ok).toBe(true);
      const program = compiled.program!;
      expect(program.layers.some((l) => (l.branches ?? []).length > 0)).toBe(true);
      const values = readF32(join(dir, inputs));
      const run = await simulateDataset({
        programBytes: encodeChipProgram(program),
        programFile: `${name}.chip.pb`,
        spec: getChip('loihi2'),
        images: new Uint8Array(0),
        values,
        labels: new Uint8Array(4),
        count: 4,
        encoding: 'direct',
        seed: 1,
        workers: 1,
      });
      // Each spiking chip layer is one LIF layer of the model: its spikes over the 4 inputs against PyTorch's.
      const lifs = model.nodes.filter((n) => n.kind === 'lif').map((n) => (n.kind === 'lif' ? lifKey(n) : ''));
      const spiking = program.layers.map((l, i) => ({ l, i })).filter(({ l }) => l.kind === 'LAYER_SPIKING' && !l.name.startsWith('maxpool'));
      expect(spiking).toHaveLength(lifs.length);
      spiking.forEach(({ l, i }, k) => {
        const expected = ref.spikeCounts[lifs[k]!]!.reduce((a, b) => a + b, 0);
        expect(Math.abs(run.layerSpikes[i]! - expected) / expected, `${l.name}: ${run.layerSpikes[i]} vs ${expected}`).toBeLessThan(0.05);
      });
    });
  }

  it.skipIf(!hasSharedFixture('osr-resnet19-cifar-random'))('osr-resnet19-cifar-random compiles (adds before the norm, the fc1 -> norm -> fc2 head as one map)', () => {
    const { model } = frozenFixture('osr-resnet19-cifar-random');
    const compiled = compile(model, getChip('loihi2'), AUTO);
    expect(compiled.ok).toBe(true);
    const layers = compiled.program!.layers;
    expect(layers.filter((l) => (l.branches ?? []).length > 0)).toHaveLength(8);
    expect(layers[layers.length - 1]!.connection.dense!.inFeatures).toBe(512 * 4 * 4);
  });

  it.skipIf(!hasSharedFixture('osr-nfresnet-small-random'))(
    'osr-nfresnet-small-random is refused where its real-valued stream meets max pooling, naming the layer, on every chip',
    () => {
      const { model } = frozenFixture('osr-nfresnet-small-random');
      for (const chip of ['loihi', 'loihi2', 'tianjic']) {
        let error: unknown;
        try {
          compile(model, getChip(chip), AUTO);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CompileError);
        expect((error as CompileError).message).toMatch(/layer maxpool: reads a real-valued stream from 'conv1' \(conv2d\), not spikes/);
      }
    },
  );
});
