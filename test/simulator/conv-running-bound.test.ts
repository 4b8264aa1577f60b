import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import type { Model } from '../../models/graph/model.js';
import { convSumsFit16, convTapMaxima, convWeightsFit16 } from '../../simulator/packed-conv.js';
import { buildRuntime, type LayerRuntime } from '../../simulator/runtime.js';
import { scatter } from '../../simulator/scatter.js';
import { simulateImages } from '../../simulator/simulate.js';
import { WasmArena } from '../../simulator/wasm/kernels.js';
import { lcg, randomData } from '../compiler/helpers.js';

/**
 * scatterConvBounded (16-bit lanes kept exact by a running bound per output row) against the TypeScript conv
 * scatter, with its sums taken modulo 2^32 and in doubles, and against the 32-bit WebAssembly scatterConv: every
 * integer the same, for sums far beyond 16 bits (rows widened in the middle of a step), single products too large
 * for a lane, and events repeated on one position.
 */
interface Shape {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly plane: number;
  readonly taps: number;
}

/** A conv layer over a `plane`-position grid whose positions each reach some (output position, tap) pairs. */
function convLayer(shape: Shape, weights: Int32Array, pairs: readonly (readonly [number, number])[][], accumulator: Int32Array): LayerRuntime {
  const start = [0];
  const outPosition: number[] = [];
  const tap: number[] = [];
  for (let p = 0; p < shape.plane; p++) {
    for (const [o, k] of pairs[p] ?? []) {
      outPosition.push(o);
      tap.push(k);
    }
    start.push(outPosition.length);
  }
  const synapses = {
    kind: 'conv' as const,
    outChannels: shape.outChannels,
    outPlane: shape.plane,
    taps: shape.taps,
    start: Int32Array.from(start),
    outPosition: Int32Array.from(outPosition),
    tap: Int32Array.from(tap),
    weights,
    pooledPlane: shape.plane,
  };
  return { name: 'conv', synapses, accumulator: Int32Array.from(accumulator) } as unknown as LayerRuntime;
}

type Events = readonly (readonly [number, number])[];

/**
 * The layer's accumulator after each step's events through scatterConvBounded and widenRows, in an arena; `spill`
 * gets, per step, whether the 32-bit accumulator changed before widenRows (a row widened or a pair added in 32 bits).
 */
function bounded(layer: LayerRuntime, steps: readonly Events[], spill: boolean[] = []) {
  const s = layer.synapses;
  if (s.kind !== 'conv') throw new Error('conv only');
  const neurons = layer.accumulator.length;
  const events = Math.max(1, ...steps.map((e) => e.length));
  const f = WasmArena.footprint;
  const arena = new WasmArena(
    f(4 * neurons) +
      f(2 * neurons) +
      f(4 * s.outPlane) +
      f((s.weights.length / s.outChannels) * 4) +
      f(2 * s.weights.length) +
      3 * f(4 * s.start.length) +
      2 * f(4 * s.outPosition.length) +
      2 * f(4 * events) +
      4096,
  );
  const int32 = (from: ArrayLike<number>) => {
    const to = arena.int32(Math.max(1, from.length));
    to.set(Array.from(from));
    return to;
  };
  const acc = int32(layer.accumulator);
  const acc16 = arena.int16(neurons);
  const bound = arena.int32(s.outPlane);
  const tapMax = int32(convTapMaxima(layer));
  const weights = arena.int16(s.weights.length);
  weights.set(s.weights);
  const start = int32(s.start);
  const outPosition = int32(s.outPosition);
  const tap = int32(s.tap);
  const axons = arena.int32(events);
  const values = arena.int32(events);
  const k = arena.kernels;
  for (const step of steps) {
    axons.set(step.map((e) => e[0]));
    values.set(step.map((e) => e[1]));
    const before = Int32Array.from(acc);
    k.scatterConvBounded(
      axons.byteOffset,
      values.byteOffset,
      step.length,
      s.pooledPlane,
      start.byteOffset,
      outPosition.byteOffset,
      tap.byteOffset,
      weights.byteOffset,
      s.taps,
      s.outChannels,
      acc16.byteOffset,
      acc.byteOffset,
      bound.byteOffset,
      tapMax.byteOffset,
    );
    spill.push(acc.some((x, i) => x !== before[i]));
    k.widenRows(acc16.byteOffset, acc.byteOffset, bound.byteOffset, s.outPlane, s.outChannels);
    expect(acc16.every((x) => x === 0)).toBe(true);
    expect(bound.every((x) => x === 0)).toBe(true);
  }
  return [...acc];
}

/** The same steps through the 32-bit WebAssembly scatterConv. */
function wide32(layer: LayerRuntime, steps: readonly Events[]) {
  const s = layer.synapses;
  if (s.kind !== 'conv') throw new Error('conv only');
  const f = WasmArena.footprint;
  const events = Math.max(1, ...steps.map((e) => e.length));
  const arena = new WasmArena(f(4 * layer.accumulator.length) + f(4 * s.weights.length) + f(4 * s.start.length) + 2 * f(4 * s.outPosition.length) + 2 * f(4 * events) + 4096);
  const int32 = (from: ArrayLike<number>) => {
    const to = arena.int32(Math.max(1, from.length));
    to.set(Array.from(from));
    return to;
  };
  const acc = int32(layer.accumulator);
  const [weights, start, outPosition, tap] = [int32(s.weights), int32(s.start), int32(s.outPosition), int32(s.tap)];
  const axons = arena.int32(events);
  const values = arena.int32(events);
  for (const step of steps) {
    axons.set(step.map((e) => e[0]));
    values.set(step.map((e) => e[1]));
    arena.kernels.scatterConv(
      axons.byteOffset,
      values.byteOffset,
      step.length,
      s.pooledPlane,
      start.byteOffset,
      outPosition.byteOffset,
      tap.byteOffset,
      weights.byteOffset,
      s.taps,
      s.outChannels,
      acc.byteOffset,
    );
  }
  return [...acc];
}

/** The TypeScript scatter of every event, modulo 2^32 (`exact`) or with its sums formed in doubles. */
function specification(layer: LayerRuntime, steps: readonly Events[], exact: boolean) {
  const copy = { ...layer, accumulator: Int32Array.from(layer.accumulator) } as LayerRuntime;
  for (const step of steps) for (const [axon, value] of step) scatter(copy, axon, value, exact);
  return [...copy.accumulator];
}

function expectAllPathsEqual(layer: LayerRuntime, steps: readonly Events[], spill: boolean[] = []) {
  const expected = specification(layer, steps, true);
  expect(specification(layer, steps, false)).toEqual(expected);
  expect(wide32(layer, steps)).toEqual(expected);
  expect(bounded(layer, steps, spill)).toEqual(expected);
  return expected;
}

const int16 = fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

describe('scatterConvBounded: 16-bit lanes kept exact by a running bound per output row', () => {
  it('gives the 32-bit sums for any int16 weights, event values and repeats, over several steps', () => {
    const cases = fc
      .record({
        inChannels: fc.integer({ min: 1, max: 3 }),
        // Up to 75: rows of four-vector turns (32 channels), single vectors and a scalar tail.
        outChannels: fc.oneof(fc.integer({ min: 1, max: 21 }), fc.integer({ min: 32, max: 75 })),
        plane: fc.integer({ min: 1, max: 5 }),
        taps: fc.integer({ min: 1, max: 4 }),
      })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          // Small weights (as 8-bit mantissas are), any int16, or the lane's edges.
          weights: fc.oneof(
            fc.array(fc.integer({ min: -127, max: 127 }), {
              minLength: shape.inChannels * shape.taps * shape.outChannels,
              maxLength: shape.inChannels * shape.taps * shape.outChannels,
            }),
            fc.array(int16, { minLength: shape.inChannels * shape.taps * shape.outChannels, maxLength: shape.inChannels * shape.taps * shape.outChannels }),
            fc.array(fc.constantFrom(-(2 ** 15), 2 ** 15 - 1, 2 ** 14, -(2 ** 14) - 1, 0), {
              minLength: shape.inChannels * shape.taps * shape.outChannels,
              maxLength: shape.inChannels * shape.taps * shape.outChannels,
            }),
          ),
          pairs: fc.array(fc.array(fc.tuple(fc.nat(shape.plane - 1), fc.nat(shape.taps - 1)), { maxLength: shape.taps }), {
            minLength: shape.plane,
            maxLength: shape.plane,
          }),
          // Spike counts of a pooling window, larger graded values, negative ones and any int32; few axons, so
          // positions repeat many times within a step.
          steps: fc.array(
            fc.array(fc.tuple(fc.nat(shape.inChannels * shape.plane - 1), fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 }), fc.integer({ min: -300, max: 300 }), int32)), {
              maxLength: 60,
            }),
            { minLength: 1, maxLength: 3 },
          ),
          accumulator: fc.array(int32, { minLength: shape.plane * shape.outChannels, maxLength: shape.plane * shape.outChannels }),
        }),
      );
    fc.assert(
      fc.property(cases, (c) => {
        const layer = convLayer(c.shape, Int32Array.from(c.weights), c.pairs, Int32Array.from(c.accumulator));
        expect(convWeightsFit16(layer)).toBe(true);
        expectAllPathsEqual(layer, c.steps);
      }),
      { seed: 14, numRuns: 400 },
    );
  });

  it('takes layers whose weights fit int16, with each (input channel, tap) bounded by its largest |weight|', () => {
    const shape = { inChannels: 2, outChannels: 3, plane: 1, taps: 2 };
    const layer = (weights: number[]) => convLayer(shape, Int32Array.from(weights), [[[0, 0]]], new Int32Array(3));
    const weights = [1, -7, 3, 0, 0, 0, -32768, 5, 32767, 2, -2, 1];
    expect(convWeightsFit16(layer(weights))).toBe(true);
    expect([...convTapMaxima(layer(weights))]).toEqual([7, 0, 32768, 2]);
    expect(convWeightsFit16(layer(weights.map((w, i) => (i === 4 ? 32768 : w))))).toBe(false);
    expect(convWeightsFit16(layer(weights.map((w, i) => (i === 4 ? -32769 : w))))).toBe(false);
  });

  const oneRow = (outChannels: number, weights: number[]) =>
    convLayer({ inChannels: 1, outChannels, plane: 1, taps: 1 }, Int32Array.from(weights), [[[0, 0]]], new Int32Array(outChannels));

  it('widens a row within the step when its spike counts add up past 2^15 (8-bit weights, pooled counts of 4)', () => {
    const weights = [127, -127, 100, -3, 0, 64, -64, 1, 126, -126];
    const spill: boolean[] = [];
    const sums = expectAllPathsEqual(oneRow(10, weights), [Array.from({ length: 600 }, () => [0, 4] as const)], spill);
    expect(sums[0]).toBe(600 * 4 * 127);
    expect(Math.abs(sums[0]!)).toBeGreaterThan(2 ** 15);
    expect(spill).toEqual([true]);
  });

  it('keeps a lane at exactly 2^15 - 1 in 16 bits, and widens before the next add would pass it', () => {
    const spill: boolean[] = [];
    expectAllPathsEqual(oneRow(8, [32767, -32767, 1, 2, 3, 4, 5, 6]), [[[0, 1]]], spill);
    expect(spill).toEqual([false]);
    const again: boolean[] = [];
    const sums = expectAllPathsEqual(
      oneRow(8, [16384, -16384, 1, 2, 3, 4, 5, 6]),
      [
        [
          [0, 1],
          [0, 1],
        ],
      ],
      again,
    );
    expect(sums.slice(0, 2)).toEqual([32768, -32768]);
    expect(again).toEqual([true]);
  });

  it('adds a product too large for any lane in 32 bits (a weight of -2^15, a value times a weight past 2^15)', () => {
    for (const [weights, value] of [
      [[-32768, 32767, 1, -1, 0, 12345, -12345, 2, 3], 1],
      [[20000, -20000, 7], 2],
      [[5, -5, 1], 100_000],
      [[5, -5, 1], -(2 ** 31)],
    ] as const) {
      const spill: boolean[] = [];
      const sums = expectAllPathsEqual(oneRow(weights.length, [...weights]), [Array.from({ length: 51 }, () => [0, value] as const)], spill);
      expect(sums[0]).toBe((51 * value * weights[0]) | 0);
      expect(spill).toEqual([true]);
    }
  });
});

/**
 * conv -> LIF -> 2x2 average pool -> conv -> LIF -> linear on [2, 8, 8] inputs, T = 4: the second conv's fan-in
 * (16 channels, 3x3 taps, pooled counts up to 4) is too wide for convSumsFit16's static proof, so it takes the
 * running bound, over 40 output channels (four-vector turns, a single vector); the first layer's bias makes it fire
 * densely.
 */
function pooledConvModel(seed: number): Model {
  const next = lcg(seed);
  return {
    name: 'pooled-conv',
    source: 'other',
    timesteps: 4,
    input: { shape: [2, 8, 8], scale: 1, encoding: 'direct' },
    nodes: [
      {
        kind: 'conv2d',
        name: 'conv1',
        weight: { shape: [16, 2, 3, 3], data: randomData(next, 288, 0.8) },
        bias: { shape: [16], data: Float32Array.from({ length: 16 }, () => 0.4 + next() * 0.3) },
        stride: [1, 1],
        padding: [1, 1],
      },
      { kind: 'lif', name: 'lif1', prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: 0.5 }, reset: 'subtract' },
      { kind: 'avgpool2d', name: 'pool', kernel: 2, stride: 2 },
      {
        kind: 'conv2d',
        name: 'conv2',
        weight: { shape: [40, 16, 3, 3], data: Float32Array.from({ length: 5760 }, () => 0.3 + next() * 0.4) },
        bias: null,
        stride: [1, 1],
        padding: [1, 1],
      },
      { kind: 'lif', name: 'lif2', prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: 40 }, reset: 'subtract' },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'fc', weight: { shape: [4, 640], data: randomData(next, 2560, 0.5) }, bias: null },
    ],
    output: 'mean-over-time',
  };
}

describe('the chip simulator on a conv layer delivered with the running bound', () => {
  const previous = process.env.SPIKECHIP_NO_WASM;
  afterEach(() => {
    if (previous === undefined) delete process.env.SPIKECHIP_NO_WASM;
    else process.env.SPIKECHIP_NO_WASM = previous;
  });

  it('gives the result object of the scalar TypeScript scatter, with rows widened within steps', () => {
    const spec = getChip('loihi2');
    const program = compile(pooledConvModel(3), spec, { chips: 'auto', threshold: 'auto' }).program!;
    const count = 6;
    const next = lcg(11);
    const images = Uint8Array.from({ length: count * 128 }, () => Math.floor(next() * 256));
    let pooled: LayerRuntime | null = null;
    const run = (noWasm: boolean) => {
      if (noWasm) process.env.SPIKECHIP_NO_WASM = '1';
      else delete process.env.SPIKECHIP_NO_WASM;
      const runtime = buildRuntime(program, spec, 'pooled-conv.chip.pb');
      pooled = runtime.layers[1]!;
      expect(convSumsFit16(pooled)).toBe(false);
      expect(convWeightsFit16(pooled)).toBe(true);
      return simulateImages(runtime, { images, labels: new Uint8Array(count), count, first: 0 }, 'direct', 1, undefined, ['all']);
    };
    const scalar = run(true);
    const simd = run(false);
    expect(simd).toEqual(scalar);
    const firing = scalar.raster!.layers[0]!.steps;
    expect(largestStepBound(pooled!, firing)).toBeGreaterThanOrEqual(2 ** 15);
  });
});

/**
 * The largest bound any output row of a running-bound conv layer reaches within one step of the raster's image
 * without widening: the sum over the step's events reaching the row of spike count times tap maximum. From
 * 2^15 on, that step widened the row before its last add.
 */
function largestStepBound(layer: LayerRuntime, sourceSteps: readonly (readonly number[])[]): number {
  const s = layer.synapses;
  if (s.kind !== 'conv') throw new Error('conv only');
  const maxima = convTapMaxima(layer);
  let largest = 0;
  for (const fired of sourceSteps) {
    const counts = new Map<number, number>();
    for (const neuron of fired) {
      const axon = layer.axonOf[neuron]!;
      if (axon >= 0) counts.set(axon, (counts.get(axon) ?? 0) + 1);
    }
    const rows = new Float64Array(s.outPlane);
    for (const [axon, spikes] of counts) {
      const channel = Math.floor(axon / s.pooledPlane);
      const position = axon - channel * s.pooledPlane;
      for (let j = s.start[position]!; j < s.start[position + 1]!; j++) {
        const row = s.outPosition[j]!;
        rows[row] = rows[row]! + spikes * maxima[channel * s.taps + s.tap[j]!]!;
      }
    }
    for (const bound of rows) largest = Math.max(largest, bound);
  }
  return largest;
}
