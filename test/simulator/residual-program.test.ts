import { describe, expect, it } from 'vitest';
import type { ChipProgram, Connection } from '../../chips/ir/chip-program.js';
import { stepLoihi2Lif } from '../../chips/loihi2/lif-kernel.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { printStage } from '../../compiler/pass.js';
import type { Model, ModelNode } from '../../models/graph/model.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { simulateImages } from '../../simulator/simulate.js';
import { lcg, randomData, syntheticModel } from '../compiler/helpers.js';

const AUTO = { chips: 'auto', threshold: 'auto' } as const;

function conv(name: string, cout: number, cin: number, k: number, stride: number, pad: number, next: () => number, input?: string): ModelNode {
  return {
    kind: 'conv2d',
    name,
    weight: { shape: [cout, cin, k, k], data: randomData(next, cout * cin * k * k, 0.6) },
    bias: { shape: [cout], data: randomData(next, cout, 0.05) },
    stride: [stride, stride],
    padding: [pad, pad],
    ...(input ? { input } : {}),
  };
}

function lif(name: string, input?: string): ModelNode {
  return { kind: 'lif', name, prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: 1 }, reset: 'subtract', ...(input ? { input } : {}) };
}

function withNodes(nodes: ModelNode[], name: string): Model {
  return { ...syntheticModel(), name, nodes };
}

/** conv-lif, conv-lif, conv + (identity of lif1 | strided 1x1 conv of lif1) -> lif: a ResNet block. */
function resnetBlock(shortcut: 'identity' | 'conv'): Model {
  const next = lcg(7);
  const fc = (features: number): ModelNode => ({
    kind: 'linear',
    name: 'fc',
    weight: { shape: [3, features], data: randomData(next, 3 * features, 0.5) },
    bias: { shape: [3], data: randomData(next, 3, 0.1) },
  });
  const stride = shortcut === 'identity' ? 1 : 2;
  const side = shortcut === 'identity' ? 8 : 4;
  return withNodes(
    [
      conv('conv1', 4, 1, 3, 1, 1, next),
      lif('lif1'),
      conv('conv2', 4, 4, 3, stride, 1, next),
      lif('lif2'),
      conv('conv3', 4, 4, 3, 1, 1, next),
      ...(shortcut === 'conv' ? [conv('down', 4, 4, 1, 2, 0, next, 'lif1')] : []),
      { kind: 'add', name: 'add', input: 'conv3', from: shortcut === 'conv' ? 'down' : 'lif1' },
      lif('lif3'),
      { kind: 'flatten', name: 'flatten' },
      fc(4 * side * side),
    ],
    `resnet-${shortcut}`,
  );
}

/** conv-lif, conv-lif, then a conv reading the spike sum of both (SEW), and a max pool of spikes. */
function sewWithMaxPool(): Model {
  const next = lcg(11);
  return withNodes(
    [
      conv('conv1', 4, 1, 3, 1, 1, next),
      lif('lif1'),
      { kind: 'maxpool2d', name: 'pool', kernel: 3, stride: 2, padding: 1 },
      conv('conv2', 4, 4, 3, 1, 1, next),
      lif('lif2'),
      { kind: 'add', name: 'sum', from: 'pool' },
      conv('conv3', 4, 4, 3, 1, 1, next),
      lif('lif3'),
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'fc', weight: { shape: [3, 64], data: randomData(next, 192, 0.5) }, bias: { shape: [3], data: randomData(next, 3, 0.1) } },
    ],
    'sew-maxpool',
  );
}

function connectionTerm(c: Connection, sourceShape: readonly number[], shape: readonly number[], source: ArrayLike<number>, out: Float64Array): void {
  // The source grid seen through pooling: each pooled position carries the sum of its window.
  let grid = sourceShape;
  let values: ArrayLike<number> = source;
  if (c.pooling) {
    const [pc, ph, pw] = c.pooling.pooledShape as [number, number, number];
    const pooled = new Int32Array(pc * ph * pw);
    const [, sh, sw] = sourceShape as [number, number, number];
    for (let ch = 0; ch < pc; ch++)
      for (let y = 0; y < sh; y++)
        for (let x = 0; x < sw; x++) {
          const py = Math.floor(y / c.pooling.strideH);
          const px = Math.floor(x / c.pooling.strideW);
          if (py < ph && px < pw) pooled[(ch * ph + py) * pw + px] = pooled[(ch * ph + py) * pw + px]! + source[(ch * sh + y) * sw + x]!;
        }
    grid = c.pooling.pooledShape;
    values = pooled;
  }
  const [ic, ih, iw] = grid as [number, number, number];
  const [oc, oh, ow] = shape as [number, number, number];
  if (c.conv) {
    const k = c.conv;
    for (let co = 0; co < oc; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let ci = 0; ci < ic; ci++)
            for (let ky = 0; ky < k.kernelH; ky++)
              for (let kx = 0; kx < k.kernelW; kx++) {
                const y = oy * k.strideH - k.padH + ky;
                const x = ox * k.strideW - k.padW + kx;
                if (y < 0 || y >= ih || x < 0 || x >= iw) continue;
                out[(co * oh + oy) * ow + ox] = out[(co * oh + oy) * ow + ox]! + k.weights[((co * ic + ci) * k.kernelH + ky) * k.kernelW + kx]! * values[(ci * ih + y) * iw + x]!;
              }
  } else {
    const d = c.dense!;
    for (let o = 0; o < d.outFeatures; o++) for (let i = 0; i < d.inFeatures; i++) out[o] = out[o]! + d.weights[o * d.inFeatures + i]! * values[i]!;
  }
}

/** The specification kernel's parameters of a layer, per neuron (channel-major, as the IR's shapes are). */
function lifParams(layer: ChipProgram['layers'][number]) {
  const n = layer.shape.reduce((a, b) => a * b, 1);
  const plane = n / layer.shape[0]!;
  return {
    du: layer.neuron.du,
    dv: layer.neuron.dv,
    thresholdTable: Int32Array.from(layer.kind === 'LAYER_SPIKING' ? layer.neuron.thresholdMantissa : [2 ** 17 - 1]),
    resetMode: layer.neuron.reset === 'RESET_SUBTRACT' ? ('subtract' as const) : ('zero' as const),
    biasMantissa: Int32Array.from({ length: n }, (_, i) => layer.neuron.biasMantissa[Math.floor(i / plane)]!),
    biasExponent: Int32Array.from({ length: n }, (_, i) => layer.neuron.biasExponent[Math.floor(i / plane)]!),
  };
}

/**
 * The program run straight from its IR with the specification kernel, in local time: layer L at its local step t
 * sums its main connection and every branch over its sources' spikes of their local step t. No routes, no
 * delays, no cores: what the simulator's branches, delays and skips must reproduce. Spikes per layer per step.
 */
function referenceSpikes(program: ChipProgram, input: (t: number) => ArrayLike<number>): number[][] {
  const T = program.timesteps;
  const spikes: Uint8Array[][] = program.layers.map(() => []);
  const counts: number[][] = program.layers.map(() => new Array<number>(T).fill(0));
  const state = program.layers.map((l) => {
    const n = l.shape.reduce((a, b) => a * b, 1);
    return { u: new Int32Array(n), v: new Int32Array(n), n };
  });
  for (let t = 0; t < T; t++) {
    program.layers.forEach((layer, index) => {
      const { n } = state[index]!;
      const sum = new Float64Array(n);
      const sourceIndex = index - 1 - (layer.sourceSkip ?? 0);
      connectionTerm(layer.connection, layer.sourceShape, layer.shape, index === 0 ? input(t) : spikes[sourceIndex]![t]!, sum);
      for (const b of layer.branches ?? []) connectionTerm(b.connection, b.sourceShape, layer.shape, spikes[b.sourceLayer]![t]!, sum);
      const synaptic = Int32Array.from(sum, (s) => s * 2 ** layer.connection.weightExponent);
      const out = new Uint8Array(n);
      const params = lifParams(layer);
      if (layer.kind === 'LAYER_SPIKING') counts[index]![t] = stepLoihi2Lif(params, state[index]!, { synaptic, graded: null }, params.thresholdTable.length === 1 ? 0 : t, out);
      spikes[index]![t] = out;
    });
  }
  return counts;
}

/** The connection with every weight 1: its sum over non-negative sources is positive exactly where an event lands. */
function reachability(c: Connection): Connection {
  if (c.conv) return { ...c, conv: { ...c.conv, weights: new Int32Array(c.conv.weights.length).fill(1) } };
  return { ...c, dense: { ...c.dense!, weights: new Int32Array(c.dense!.weights.length).fill(1) } };
}

/**
 * SANA-FE's updated test (simulator/updated-neurons.ts) worked out from the IR, in global steps: in its window a
 * neuron is updated when v before the step is non-zero, an event of any connection (the main one or a branch)
 * reached it, its bias is non-zero, or it fires; before its window only biased neurons are; after it, a neuron
 * holds its last state (updated when v or bias is non-zero). Summed over the inference, every layer.
 */
function referenceNeuronsUpdated(program: ChipProgram, steps: number, input: ArrayLike<number>): number {
  const T = program.timesteps;
  const spikes: Uint8Array[][] = program.layers.map(() => []);
  let updated = 0;
  program.layers.forEach((layer, index) => {
    const n = layer.shape.reduce((a, b) => a * b, 1);
    const plane = n / layer.shape[0]!;
    const biased = Uint8Array.from({ length: n }, (_, i) => (layer.neuron.biasMantissa[Math.floor(i / plane)] !== 0 ? 1 : 0));
    const state = { u: new Int32Array(n), v: new Int32Array(n) };
    const params = lifParams(layer);
    const biasedCount = biased.reduce((a, b) => a + b, 0);
    updated += biasedCount * layer.startStep;
    for (let t = 0; t < T; t++) {
      const source = (l: number) => spikes[l]![t]!;
      const sum = new Float64Array(n);
      const reached = new Float64Array(n);
      const main = index === 0 ? input : source(index - 1 - (layer.sourceSkip ?? 0));
      connectionTerm(layer.connection, layer.sourceShape, layer.shape, main, sum);
      connectionTerm(reachability(layer.connection), layer.sourceShape, layer.shape, main, reached);
      for (const b of layer.branches ?? []) {
        connectionTerm(b.connection, b.sourceShape, layer.shape, source(b.sourceLayer), sum);
        connectionTerm(reachability(b.connection), b.sourceShape, layer.shape, source(b.sourceLayer), reached);
      }
      const before = Int32Array.from(state.v);
      const out = new Uint8Array(n);
      const synaptic = Int32Array.from(sum, (s) => s * 2 ** layer.connection.weightExponent);
      if (layer.kind === 'LAYER_SPIKING') stepLoihi2Lif(params, state, { synaptic, graded: null }, params.thresholdTable.length === 1 ? 0 : t, out);
      else stepLoihi2Lif(params, state, { synaptic, graded: null }, 0, out);
      spikes[index]![t] = out;
      for (let i = 0; i < n; i++) if (before[i] !== 0 || reached[i]! > 0 || biased[i] || out[i]) updated++;
    }
    let holding = 0;
    for (let i = 0; i < n; i++) if (state.v[i] !== 0 || biased[i]) holding++;
    updated += holding * (steps - layer.startStep - T);
  });
  return updated;
}

describe('residual programs on the chip: branches, delays and skipped sources deliver as the graph says', () => {
  const cases: [string, Model][] = [
    ['an add before a neuron with an identity shortcut (delay 1)', resnetBlock('identity')],
    ['an add before a neuron with a strided 1x1 conv shortcut', resnetBlock('conv')],
    ['a spike sum read by a conv (SEW), after a max pool of spikes', sewWithMaxPool()],
  ];
  for (const [what, model] of cases) {
    it(what, () => {
      const compiled = compile(model, getChip('loihi2'), AUTO);
      expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const program = compiled.program!;
      expect(program.layers.some((l) => (l.branches ?? []).length > 0)).toBe(true);
      const runtime = buildRuntime(program, getChip('loihi2'), model.name);
      const next = lcg(3);
      for (let sample = 0; sample < 6; sample++) {
        const image = Uint8Array.from({ length: 64 }, () => Math.floor(next() * 256));
        const run = simulateImages(runtime, { images: image, labels: new Uint8Array(1), count: 1, first: 0 }, 'direct', 1);
        const expected = referenceSpikes(program, () => image);
        program.layers.forEach((layer, l) => {
          if (layer.kind !== 'LAYER_SPIKING') return;
          const steps = run.layerStepSpikes.length / program.layers.length;
          const chip = Array.from({ length: program.timesteps }, (_, t) => run.layerStepSpikes[l * steps + layer.startStep + t]!);
          expect(chip, `${model.name} sample ${sample} layer ${layer.name}`).toEqual(expected[l]);
        });
      }
    });
  }

  it('event frames: step t of the first layer reads frame t, as graded payloads of the real values', () => {
    const next = lcg(21);
    const model: Model = {
      ...resnetBlock('identity'),
      name: 'frames',
      input: { shape: [1, 8, 8], scale: 1, encoding: 'direct' },
    };
    const program = compile(model, getChip('loihi2'), AUTO).program!;
    const runtime = buildRuntime(program, getChip('loihi2'), 'frames');
    const T = program.timesteps;
    const values = Float32Array.from({ length: T * 64 }, () => (next() > 0.5 ? next() * 2 : 0));
    const run = simulateImages(runtime, { images: new Uint8Array(0), values, framesPerStep: true, labels: new Uint8Array(1), count: 1, first: 0 }, 'direct', 1);
    const step = program.input.valueScale;
    const payloads = (t: number) => Array.from(values.subarray(t * 64, (t + 1) * 64), (v) => Math.round(v / step));
    const expected = referenceSpikes(program, payloads);
    const steps = run.layerStepSpikes.length / program.layers.length;
    program.layers.forEach((layer, l) => {
      if (layer.kind !== 'LAYER_SPIKING') return;
      expect(
        Array.from({ length: T }, (_, t) => run.layerStepSpikes[l * steps + layer.startStep + t]!),
        layer.name,
      ).toEqual(expected[l]);
    });
    // Not a static input: the first layer's spikes change with the frames.
    expect(new Set(expected[0]).size).toBeGreaterThan(1);
  });

  it("SANA-FE's updated test counts the neurons only a branch reaches (sanafe profile), as worked out from the IR", () => {
    // Without biases, so a neuron's update depends on what reaches it (a bias updates it every step).
    const unbiased = (model: Model): Model => ({
      ...model,
      nodes: model.nodes.map((node) =>
        node.kind === 'conv2d' || node.kind === 'linear' ? { ...node, bias: { shape: node.bias!.shape, data: new Float32Array(node.bias!.data.length) } } : node,
      ),
    });
    let updatedTotal = 0;
    for (const model of [resnetBlock('identity'), resnetBlock('conv'), sewWithMaxPool()].map(unbiased)) {
      const program = compile(model, getChip('loihi2'), AUTO).program!;
      const runtime = buildRuntime(program, getChip('loihi2'), model.name);
      const next = lcg(5);
      for (let sample = 0; sample < 4; sample++) {
        const image = Uint8Array.from({ length: 64 }, () => (next() < 0.3 ? Math.floor(next() * 256) : 0));
        const run = simulateImages(runtime, { images: image, labels: new Uint8Array(1), count: 1, first: 0 }, 'direct', 1);
        const chip = run.counts.totals.neuronsUpdated.reduce((a, b) => a + b, 0);
        expect(chip, `${model.name} sample ${sample}`).toBe(referenceNeuronsUpdated(program, runtime.stepsPerInference, image));
        updatedTotal += chip;
      }
    }
    expect(updatedTotal).toBeGreaterThan(0);
  });

  it('every pass of a residual graph has its golden text (regenerate on purpose with -u)', async () => {
    for (const model of [resnetBlock('conv'), sewWithMaxPool()]) {
      const { stages, program } = compile(model, getChip('loihi2'), AUTO);
      const text = [
        ...['fold-norm', 'freeze-thresholds', 'quantize', 'partition', 'place'].map((pass) => printStage(stages, pass)),
        printChipProgram(program!, getChip('loihi2')),
      ].join('\n\n');
      await expect(text).toMatchFileSnapshot(`../golden/residual/${model.name}.txt`);
    }
  });

  it('refuses a program whose branch delay does not line its source up', async () => {
    const program = compile(resnetBlock('identity'), getChip('loihi2'), AUTO).program!;
    const { encodeChipProgram, decodeChipProgram } = await import('../../chips/ir/chip-program-codec.js');
    const layer = program.layers.find((l) => (l.branches ?? []).length > 0)!;
    layer.branches![0]!.delay += 1;
    expect(() => decodeChipProgram(encodeChipProgram(program), 'bad.chip.pb')).toThrowError(/branch 0 delay 2 does not line its source up/);
  });
});
