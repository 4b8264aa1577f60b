import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loihiSpec } from '../../chips/loihi/spec.js';
import { shiftLeftSigned } from '../../chips/fixed-point/shift.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { compile } from '../../compiler/compile.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { loadModel } from '../../models/load-model.js';
import { ChipSimulator } from '../../simulator/engine.js';
import { directPixels } from '../../simulator/inputs.js';
import { costEvents } from '../../simulator/ledger.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { eventCounts } from '../../simulator/simulate.js';
import { fixturePath, PROJECT_ROOT } from '../helpers/fixtures.js';

/*
 * Optional: the comparison network run in SANA-FE itself (its Python package) beside `simulate --profile sanafe`,
 * like the Brian2 column of the bench. Runs only where `python3 -c "import sanafe"` works; SANA-FE is never a
 * dependency. The network is handed over in SANA-FE's units (the chip's v / 64) with the program's own integers
 * and neuron-to-core mapping (SANA-FE numbers a tile x * height + y).
 */
const HAS_SANAFE = spawnSync('python3', ['-c', 'import sanafe'], { stdio: 'ignore' }).status === 0;
const SKIPPED = HAS_SANAFE ? '' : " [skipped: python3 cannot import sanafe, SANA-FE's Python package is not installed]";
if (!HAS_SANAFE) console.info(`sanafe-python.test.ts: the cross-check against SANA-FE itself is skipped (python3 -c "import sanafe" fails)`);
const T = 20;
const dir = mkdtempSync(join(tmpdir(), 'spikechip-sanafe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SanafeResult {
  readonly energyJ: number;
  readonly simTimeS: number;
  readonly neuronsUpdated: number;
  readonly neuronsFired: number;
  readonly packetsSent: number;
}

function crossCheck(spec: ChipSpec) {
  const { model } = loadModel(fixturePath('sanafe-comparison', 'net.nir'), { timesteps: T });
  const program = compile(model, spec, { chips: 1, threshold: 'auto' }).program!;
  const runtime = buildRuntime(program, spec, 'net.chip.pb');
  const simulator = new ChipSimulator(runtime);
  const images = loadFashionMnist(defaultFashionMnistDir(), 'test', 1);
  simulator.infer(directPixels(images.images, 0, runtime.inputSize, new Float32Array(runtime.inputSize)));
  const counts = eventCounts(runtime, simulator);
  const network = {
    layers: runtime.layers.map((layer, l) => {
      const dense = program.layers[l]!.connection.dense;
      const e = program.layers[l]!.connection.weightExponent;
      const weights =
        l === 0 || !dense
          ? null
          : Array.from({ length: dense.inFeatures }, (_, i) => Array.from({ length: dense.outFeatures }, (_, o) => dense.weights[o * dense.inFeatures + i]! * 2 ** e));
      return {
        name: layer.name,
        neurons: layer.neurons,
        bias: Array.from(layer.biasMantissa, (m, n) => shiftLeftSigned(m, layer.biasExponent[n]!) / 64),
        threshold: layer.spiking ? layer.thresholds[0]! : 1e30,
        leakDecay: (4096 - layer.dv) / 4096,
        inputDecay: (4096 - 1 - layer.du) / 4096,
        weights,
        cores: Array.from(layer.coreOfNeuron, (c) => {
          const core = program.cores[c]!;
          return [core.tileX * spec.mesh.heightTiles + core.tileY, core.slot];
        }),
      };
    }),
  };
  const file = join(dir, `${spec.name}.json`);
  writeFileSync(file, JSON.stringify(network));
  const run = spawnSync('python3', [join(PROJECT_ROOT, 'test', 'helpers', 'sanafe_run.py'), file, String(runtime.stepsPerInference)], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const sanafe = JSON.parse(run.stdout) as SanafeResult;
  const costing = costEvents(counts, spec, 'sanafe');
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  expect(sanafe.neuronsFired).toBe(sum(counts.totals.spikesOut));
  expect(sanafe.packetsSent).toBe(sum(counts.totals.messagesOut));
  expect(sanafe.neuronsUpdated).toBe(sum(counts.totals.neuronsUpdated));
  expect(costing.energyPerInferenceJ / sanafe.energyJ).toBeCloseTo(1, 9);
  expect(costing.latencyPerInferenceS / sanafe.simTimeS).toBeCloseTo(1, 9);
}

describe('SANA-FE itself, where its Python package is installed', () => {
  it.skipIf(!HAS_SANAFE)(`gives the sanafe profile's energy and simple-model latency on the comparison network${SKIPPED}`, () => {
    crossCheck(loihiSpec);
  });

  it.skipIf(!HAS_SANAFE)(`and on the network mapped three neurons to a core${SKIPPED}`, () => {
    crossCheck(parseChipSpec(JSON.stringify({ ...loihiSpec, name: 'loihi-3-neurons', core: { ...loihiSpec.core, maxNeurons: 3 } }), 'loihi-3-neurons.json'));
  });
});
