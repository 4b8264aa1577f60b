import { describe, expect, it } from 'vitest';
import { IR_VERSION, type ChipProgram, type Core, type Layer } from '../../chips/ir/chip-program.js';
import { getChip } from '../../chips/registry.js';
import { ChipSimulator, type InputFrames } from '../../simulator/engine.js';
import { buildRuntime } from '../../simulator/runtime.js';

/**
 * A two-layer program small enough to follow by hand: two input values enter as graded events, a dense layer of
 * two LIF neurons (soft reset, per-step thresholds) feeds one accumulating output neuron.
 */
function tinyProgram(reset: 'RESET_SUBTRACT' | 'RESET_ZERO', thresholds: number[]): ChipProgram {
  const range = (begin: number, end: number) => ({ begin, end });
  const usage = { neurons: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0, synapses: 0, fanIn: 0 };
  const quantization = {
    weightMaxError: 0,
    weightRmsError: 0,
    thresholdMaxError: 0,
    biasMaxError: 0,
    decayFloat: 0.5,
    decayChip: 0.5,
    thresholdPolicy: 'THRESHOLD_SCHEDULE',
  } as const;
  const hidden: Layer = {
    name: 'hidden',
    kind: 'LAYER_SPIKING',
    shape: [2, 1, 1],
    sourceShape: [2, 1, 1],
    connection: { dense: { inFeatures: 2, outFeatures: 2, weights: Int32Array.of(3, 0, 1, 2) }, weightExponent: 0, weightBits: 8 },
    neuron: { du: 4095, dv: 2048, thresholdMantissa: thresholds, reset, biasMantissa: Int32Array.of(0, 64), biasExponent: [0, 0] },
    startStep: 0,
    scale: 64,
    quantization,
  };
  const output: Layer = {
    name: 'out',
    kind: 'LAYER_OUTPUT',
    shape: [1, 1, 1],
    sourceShape: [2, 1, 1],
    connection: { dense: { inFeatures: 2, outFeatures: 1, weights: Int32Array.of(5, -2) }, weightExponent: 0, weightBits: 8 },
    neuron: { du: 4095, dv: 0, thresholdMantissa: [], reset: 'RESET_ZERO', biasMantissa: Int32Array.of(1), biasExponent: [0] },
    startStep: 1,
    scale: 64,
    quantization,
  };
  const core = (id: number, layer: number, neurons: number, fanIn: number, x: number): Core => ({
    id,
    chip: 0,
    tileX: x,
    tileY: 0,
    slot: 0,
    layer,
    role: 'CORE_SOMA',
    annMode: false,
    channels: range(0, neurons),
    rows: range(0, 1),
    cols: range(0, 1),
    fanIn: range(0, fanIn),
    somaCore: id,
    usage,
    routes: [],
  });
  return {
    irVersion: IR_VERSION,
    chipName: 'loihi2',
    chipFamily: 'CHIP_LOIHI2',
    source: { name: 'tiny', sha256: '', kind: 'SOURCE_OTHER' },
    timesteps: 3,
    chipCount: 1,
    input: { shape: [2, 1, 1], placement: 'INPUT_GRADED_SPIKES', payloadBits: 8, valueScale: 1, hostWeights: new Float32Array(0), hostBias: new Float32Array(0) },
    layers: [hidden, output],
    cores: [core(0, 0, 2, 2, 0), core(1, 1, 1, 2, 2)],
    probes: [{ layer: 1, variable: 'PROBE_VOLTAGE' }],
    learning: { layers: [], rule: '', ruleKind: 'LEARNING_NONE', epochSteps: 0, settings: [] },
    notes: [],
  };
}

const constantInput = (a: number, b: number): InputFrames => ({
  static: true,
  analog: null,
  frame(_t, indices, values) {
    indices[0] = 0;
    values[0] = a;
    indices[1] = 1;
    values[1] = b;
    return 2;
  },
});

describe('a tiny program, followed by hand', () => {
  it('integrates, fires with per-step thresholds and soft reset, and accumulates the output exactly', () => {
    const runtime = buildRuntime(tinyProgram('RESET_SUBTRACT', [100, 200, 300]), getChip('loihi2'), 'tiny');
    const simulator = new ChipSimulator(runtime);
    const result = simulator.infer(constantInput(2, 1));
    // Neuron 0: a_in = 3*2 + 0*1 = 6, u = 6<<6 = 384 every step; neuron 1: a_in = 1*2 + 2*1 = 4, u = 256, bias 64.
    // v0: 384 > 6400? no ... thresholds are mantissas << 6: 6400, 12800, 19200.
    //   step 0: v0 = 384;        v1 = 256 + 64 = 320
    //   step 1: v0 = 192 + 384 = 576;  v1 = 160 + 320 = 480
    //   step 2: v0 = 288 + 384 = 672;  v1 = 240 + 320 = 560   (no spike: far below threshold)
    const hidden = runtime.layers[0]!;
    expect([...hidden.v]).toEqual([672, 560]);
    expect([...hidden.u]).toEqual([384, 256]);
    expect(simulator.layerSpikes[0]).toBe(0);
    // The output integrates only its bias (no spikes arrive): v = 3 steps * 1.
    expect([...runtime.layers[1]!.v]).toEqual([3]);
    expect(result.outputs[0]).toBeCloseTo(3 / (3 * 64), 12);
    // Synaptic ops: two graded events x two synapses each, three steps; neuron updates: 2 + 1 per active step.
    expect(simulator.counters.synapticOps[0]).toBe(12);
    expect(simulator.counters.synapticOps[1]).toBe(0);
    expect(simulator.counters.neuronUpdatesActive[0]! + simulator.counters.neuronUpdatesInactive[0]!).toBe(6);
    expect(simulator.counters.neuronUpdatesActive[1]! + simulator.counters.neuronUpdatesInactive[1]!).toBe(3);
  });

  it('fires, routes spikes one step later and counts hops', () => {
    const runtime = buildRuntime(tinyProgram('RESET_SUBTRACT', [4, 8, 8]), getChip('loihi2'), 'tiny');
    const simulator = new ChipSimulator(runtime);
    simulator.infer(constantInput(2, 1));
    // Thresholds 256, 512, 512 (mantissa << 6).
    //   step 0: v0 = 384 > 256 fires -> 128;  v1 = 320 > 256 fires -> 64
    //   step 1: v0 = 64 + 384 = 448 <= 512;    v1 = 32 + 320 = 352 <= 512
    //   step 2: v0 = 224 + 384 = 608 > 512 fires -> 96;  v1 = 176 + 320 = 496 <= 512
    const hidden = runtime.layers[0]!;
    expect([...hidden.v]).toEqual([96, 496]);
    expect(simulator.layerSpikes[0]).toBe(3);
    // Output: step 1 receives both step-0 spikes (5 - 2 = 3), step 2 nothing, step 3 neuron 0's spike (5),
    // plus bias 1 per step: v = (3 + 1) + (0 + 1) + (5 + 1) = 11, each input << 6 into u first: u = a_in * 64.
    expect([...runtime.layers[1]!.v]).toEqual([(3 + 0 + 5) * 64 + 3]);
    // Each spike crosses two tiles east-west to the output core, one synaptic op each.
    expect(simulator.counters.hopsEastWest[0]).toBe(6);
    // Dimension-order route (0,0) -> (2,0): both east-west links of row 0 carry the three packets.
    expect([...simulator.links.total.subarray(0, 2)]).toEqual([3, 3]);
    expect(simulator.links.total.subarray(2).every((l) => l === 0)).toBe(true);
    expect(simulator.counters.synapticOps[1]).toBe(3);
    expect(simulator.counters.spikesOut[0]).toBe(3);
  });

  it('resets to zero where the program says so', () => {
    const runtime = buildRuntime(tinyProgram('RESET_ZERO', [4, 8, 8]), getChip('loihi2'), 'tiny');
    new ChipSimulator(runtime).infer(constantInput(2, 1));
    //   step 0: v0 fires -> 0, v1 fires -> 0;  step 1: v0 = 384, v1 = 320;  step 2: v0 = 192 + 384 = 576 fires -> 0;
    //   v1 = 160 + 320 = 480
    expect([...runtime.layers[0]!.v]).toEqual([0, 480]);
  });

  it('refuses a program compiled for another chip family', () => {
    expect(() => buildRuntime(tinyProgram('RESET_ZERO', [4, 4, 4]), getChip('loihi'), 'tiny.chip.pb')).toThrowError(
      'tiny.chip.pb: the program was compiled for loihi2 (loihi2); the chip spec loihi is loihi1: compile it for this chip',
    );
  });
});

describe('input checks', () => {
  it('refuses Poisson input for a program whose first layer the host computes', async () => {
    const { compile } = await import('../../compiler/compile.js');
    const { readModelFile } = await import('../../models/format/model-file.js');
    const { bundledModelPath } = await import('../../models/bundled/bundled.js');
    const { simulateImages } = await import('../../simulator/simulate.js');
    const program = compile(readModelFile(bundledModelPath()), getChip('loihi'), { chips: 'auto', threshold: 'auto' }).program!;
    const runtime = buildRuntime(program, getChip('loihi'), 'loihi.chip.pb');
    const images = { images: new Uint8Array(784), labels: new Uint8Array(1), count: 1, first: 0 };
    expect(() => simulateImages(runtime, images, 'poisson', 1)).toThrowError(/loihi: Poisson input needs .* use --encoding direct/);
    expect(() => simulateImages(runtime, { ...images, images: new Uint8Array(100) }, 'direct', 1)).toThrowError(/input: 100 bytes hold fewer than 1 inputs of 784 values/);
  });
});
