import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { expandedBias, fusedLifConstants, fusedLifStep, fusedRefractoryLifStep, decayKeeps } from '../../simulator/fused-lif.js';
import { buildRuntime, type LayerRuntime } from '../../simulator/runtime.js';
import { scatter } from '../../simulator/scatter.js';
import { simulateImages } from '../../simulator/simulate.js';
import { KERNELS_WASM_BASE64 } from '../../simulator/wasm/kernels-binary.js';
import { coreSegments, LIF_SCRATCH_BYTES, TRUSTED_BOUNDS, WasmArena } from '../../simulator/wasm/kernels.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/**
 * The WebAssembly kernels against the TypeScript kernels they replace (the specification), bit for bit, including
 * the refusal to take values too wide for 32-bit lanes, and the whole simulator with and without them.
 */
const CORES = 3;
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const state24 = fc.integer({ min: -(2 ** 23), max: 2 ** 23 });
const neuron = fc.record({
  u: fc.oneof(state24, state24, int32, fc.constantFrom(0, 2 ** 28 - 1, -(2 ** 28) + 1, 2 ** 28, -(2 ** 31))),
  v: fc.oneof(state24, state24, int32, fc.constant(0)),
  sum: fc.oneof(fc.integer({ min: -600, max: 600 }), fc.integer({ min: -(2 ** 17), max: 2 ** 17 }), int32, fc.constant(0)),
  biasMantissa: fc.oneof(fc.integer({ min: -4096, max: 4095 }), fc.integer({ min: -(2 ** 24), max: 2 ** 24 })),
  biasExponent: fc.integer({ min: -9, max: 10 }),
  refractory: fc.integer({ min: 0, max: 3 }),
  spikedBefore: fc.boolean(),
});
const layerCase = fc.record({
  du: fc.integer({ min: 0, max: 4095 }),
  dv: fc.integer({ min: 0, max: 4095 }),
  threshold: fc.oneof(fc.integer({ min: 0, max: 2 ** 17 - 1 }), fc.constant(null)),
  subtract: fc.boolean(),
  weightExponent: fc.oneof(fc.integer({ min: -7, max: 7 }), fc.integer({ min: -40, max: 40 })),
  neurons: fc.array(neuron, { minLength: 1, maxLength: 23 }),
  /** Runs of neurons on one core: lengths cycled over the layer, cores cycled too. */
  runs: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
  refractory: fc.boolean(),
  hold: fc.integer({ min: 0, max: 5 }),
  /** Every |u|, |v| below 2^19, as in most working networks. */
  narrow: fc.boolean(),
});
type LayerCase = typeof layerCase extends fc.Arbitrary<infer T> ? T : never;

function coresOf(c: LayerCase): Int32Array {
  const cores = new Int32Array(c.neurons.length);
  for (let i = 0, run = 0, core = 0; i < cores.length; run++, core = (core + 1) % CORES) {
    for (let k = 0; k < c.runs[run % c.runs.length]! && i < cores.length; k++) cores[i++] = core;
  }
  return cores;
}

/** The layer's arrays: plain for the TypeScript kernel, in an arena for the WebAssembly one. */
function state(c: LayerCase, arena: WasmArena | null) {
  const n = c.neurons.length;
  const int32s = (values: number[]) => {
    const a = arena ? arena.int32(n) : new Int32Array(n);
    a.set(values);
    return a;
  };
  const before = c.neurons.flatMap((x, i) => (x.spikedBefore ? [i] : []));
  const spikes = arena ? arena.uint8(n) : new Uint8Array(n);
  for (const i of before) spikes[i] = 1;
  const spikeList = int32s([...before, ...new Array<number>(n - before.length).fill(0)]);
  return {
    u: int32s(c.neurons.map((x) => (c.narrow ? x.u % 2 ** 19 : x.u))),
    v: int32s(c.neurons.map((x) => (c.narrow ? x.v % 2 ** 19 : x.v))),
    accumulator: int32s(c.neurons.map((x) => x.sum)),
    refractory: int32s(c.neurons.map((x) => x.refractory)),
    spikes,
    spikeList,
    coreOfNeuron: coresOf(c),
    marked: before.length,
  };
}

const biasOf = (c: LayerCase) =>
  expandedBias(
    Int32Array.from(c.neurons, (x) => x.biasMantissa),
    Int32Array.from(c.neurons, (x) => x.biasExponent),
    new Int32Array(c.neurons.length),
  );

/**
 * Runs lifStep over [0, n) as `parts` contiguous shares (each a multiple of 4 lanes but the last), as threads would;
 * `trusted` passes the caller's promise of TRUSTED_BOUNDS (no range check, the one-mask wrap).
 */
function wasmStep(c: LayerCase, parts: 1 | 2, trusted = false) {
  const n = c.neurons.length;
  const arena = new WasmArena(16 * WasmArena.footprint(4 * n) + 4096);
  const s = state(c, arena);
  const bias = arena.int32(n);
  bias.set(biasOf(c) as Int32Array);
  const coreSpikes = arena.int32(CORES);
  const coreInactive = arena.int32(CORES);
  const k = fusedLifConstants(c.du, c.dv, c.threshold, c.subtract ? 'subtract' : 'zero', c.weightExponent);
  const { uKeep, vKeep } = decayKeeps(k);
  const split = parts === 2 ? Math.min(n, 4 * Math.ceil(n / 8)) : n;
  const newList = arena.int32(n);
  const scratch = arena.int32(LIF_SCRATCH_BYTES / 4).byteOffset;
  let fired = 0;
  for (const [from, to] of [
    [0, split],
    [split, n],
  ] as const) {
    if (to <= from) continue;
    const segs = arena.int32(3 * n);
    const segments = coreSegments(s.coreOfNeuron.subarray(from, to));
    segs.set(segments);
    const list = newList.subarray(fired);
    fired += arena.kernels.lifStep(
      s.u.byteOffset + 4 * from,
      s.v.byteOffset + 4 * from,
      s.accumulator.byteOffset + 4 * from,
      bias.byteOffset + 4 * from,
      to - from,
      segs.byteOffset,
      segments.length / 3,
      coreSpikes.byteOffset,
      coreInactive.byteOffset,
      s.spikes.byteOffset,
      list.byteOffset,
      s.spikeList.byteOffset,
      from === 0 ? s.marked : 0,
      uKeep,
      vKeep,
      k.threshold,
      k.subtractive ? 1 : 0,
      k.left,
      k.right,
      k.mask,
      c.refractory ? s.refractory.byteOffset + 4 * from : 0,
      c.hold,
      from,
      0,
      trusted ? 1 : 0,
      scratch,
    );
  }
  return { s, fired, list: [...newList.subarray(0, fired)], coreSpikes: [...coreSpikes], coreInactive: [...coreInactive] };
}

function scalarStep(c: LayerCase) {
  const s = state(c, null);
  const coreSpikes = new Int32Array(CORES);
  const coreInactive = new Int32Array(CORES);
  const k = fusedLifConstants(c.du, c.dv, c.threshold, c.subtract ? 'subtract' : 'zero', c.weightExponent);
  const fired = c.refractory
    ? fusedRefractoryLifStep(s, biasOf(c), k, s.marked, s.refractory, c.hold, coreSpikes)
    : fusedLifStep(s, biasOf(c), k, s.marked, coreSpikes, coreInactive);
  return { s, fired, list: [...s.spikeList.subarray(0, fired)], coreSpikes: [...coreSpikes], coreInactive: [...coreInactive] };
}

/** How many neurons hold a value too wide for 32-bit lanes (kernels.wat: they take the 64-bit path). */
function wideNeurons(c: LayerCase): number {
  const k = fusedLifConstants(c.du, c.dv, c.threshold, c.subtract ? 'subtract' : 'zero', c.weightExponent);
  return c.neurons.filter((x) => Math.abs(((x.sum << k.left) >> k.right) & k.mask) >= 2 ** 23 || Math.abs(x.u) >= 2 ** 28 || Math.abs(x.v) >= 2 ** 28).length;
}

const biasFits = (c: LayerCase) => [...biasOf(c)].every((b) => Math.abs(b) < 2 ** 28);

/** The case moved inside TRUSTED_BOUNDS: u within ±2^23, v within ±(2^28 - 1), inputs within ±2^17 (no weight exponent). */
function trustedCase(c: LayerCase): LayerCase {
  const clamp = (x: number, limit: number) => Math.max(-limit, Math.min(limit, x));
  return {
    ...c,
    weightExponent: 0,
    neurons: c.neurons.map((x) => ({ ...x, u: clamp(x.u, TRUSTED_BOUNDS.u), v: clamp(x.v, TRUSTED_BOUNDS.v - 1), sum: clamp(x.sum, TRUSTED_BOUNDS.input) })),
  };
}

describe('the WebAssembly module', () => {
  it('is the assembled kernels.wat (run `npm run build:wasm` after editing it)', async () => {
    const assemble = (await import(pathToFileURL(join(PROJECT_ROOT, 'scripts', 'assemble-wasm.mjs')).href)) as { assembleKernels: (text: string) => Promise<Uint8Array> };
    const bytes = await assemble.assembleKernels(readFileSync(join(PROJECT_ROOT, 'simulator', 'wasm', 'kernels.wat'), 'utf8'));
    expect(Buffer.from(bytes).equals(Buffer.from(KERNELS_WASM_BASE64, 'base64'))).toBe(true);
  });
});

describe('lifStep: the fused TypeScript LIF step, bit for bit, SIMD lanes and 64-bit path alike', () => {
  for (const parts of [1, 2] as const) {
    it(`over ${parts === 1 ? 'the whole layer' : 'two shares with layer-wide indices'}`, () => {
      let wide = 0;
      fc.assert(
        fc.property(layerCase, (c) => {
          fc.pre(biasFits(c));
          if (wideNeurons(c) > 0) wide++;
          const fast = wasmStep(c, parts);
          const ref = scalarStep(c);
          expect([...fast.s.u]).toEqual([...ref.s.u]);
          expect([...fast.s.v]).toEqual([...ref.s.v]);
          expect([...fast.s.spikes]).toEqual([...ref.s.spikes]);
          expect([...fast.s.refractory]).toEqual([...ref.s.refractory]);
          expect(fast.fired).toBe(ref.fired);
          expect(fast.list).toEqual(ref.list);
          expect(fast.coreSpikes).toEqual(ref.coreSpikes);
          if (!c.refractory) expect(fast.coreInactive).toEqual(ref.coreInactive);
        }),
        { seed: 5, numRuns: 600 },
      );
      // Both paths ran: cases with and without values beyond the lanes.
      expect(wide).toBeGreaterThan(50);
      expect(wide).toBeLessThan(550);
    });
  }

  it('with the caller promising TRUSTED_BOUNDS: no range check, one mask for the wrap', () => {
    fc.assert(
      fc.property(layerCase.map(trustedCase), fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, (c, parts) => {
        fc.pre(biasFits(c));
        const fast = wasmStep(c, parts, true);
        const ref = scalarStep(c);
        expect([...fast.s.u]).toEqual([...ref.s.u]);
        expect([...fast.s.v]).toEqual([...ref.s.v]);
        expect(fast.list).toEqual(ref.list);
        expect([...fast.s.refractory]).toEqual([...ref.s.refractory]);
        expect(fast.coreSpikes).toEqual(ref.coreSpikes);
        if (!c.refractory) expect(fast.coreInactive).toEqual(ref.coreInactive);
        // The promise holds for the next step: what the step leaves is inside the bounds again.
        for (const u of fast.s.u) expect(Math.abs(u)).toBeLessThanOrEqual(TRUSTED_BOUNDS.u);
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it('truncates every residue of the decays exactly, on the 32-bit lanes and on the 64-bit path', () => {
    for (const offset of [0, 2 ** 29]) {
      for (const [du, dv] of [
        [818, 205],
        [1, 4094],
        [2047, 3],
      ] as const) {
        const c: LayerCase = {
          du,
          dv,
          threshold: null,
          subtract: false,
          weightExponent: 0,
          // Every residue modulo 4096 of x * keep, both signs; `offset` on one neuron per group picks the path.
          neurons: Array.from({ length: 2 * 8192 }, (_, i) => {
            const x = i - 8192;
            return { u: i % 4 === 0 && offset ? offset : x, v: i % 4 === 0 && offset ? -offset : -x, sum: 0, biasMantissa: 0, biasExponent: 0, refractory: 0, spikedBefore: false };
          }),
          runs: [64],
          refractory: false,
          hold: 0,
          narrow: false,
        };
        const fast = wasmStep(c, 1);
        const ref = scalarStep(c);
        expect([...fast.s.u]).toEqual([...ref.s.u]);
        expect([...fast.s.v]).toEqual([...ref.s.v]);
      }
    }
  });

  it('wraps u and clips v exactly at their edges (currents and voltages around ±2^23)', () => {
    // With `wide`, every fourth neuron holds a u beyond the lanes, so every group takes the 64-bit path.
    const edge = (sum: number, threshold: number | null, refractory: boolean, wide = false): LayerCase => ({
      du: 0,
      dv: 0,
      threshold,
      subtract: true,
      weightExponent: 0,
      neurons: Array.from({ length: 401 }, (_, i) => ({
        u: wide && i % 4 === 3 ? 2 ** 29 + i : i - 200,
        v: sum > 0 ? 2 ** 23 - 300 + i : -(2 ** 23) + 300 - i,
        sum,
        biasMantissa: 0,
        biasExponent: 0,
        refractory: i % 3,
        spikedBefore: false,
      })),
      runs: [7, 3],
      refractory,
      hold: 2,
      narrow: false,
    });
    const cases = [edge(2 ** 17, null, false), edge(-(2 ** 17), null, false), edge(2 ** 17, 2 ** 17 - 1, true), edge(-(2 ** 17), 5, false)];
    const runs = [...cases, ...cases.map((c) => edge(c.neurons[0]!.sum, c.threshold, c.refractory, true))].map((c) => [c, false] as const);
    // Inside TRUSTED_BOUNDS (|input| = 2^17 exactly): the one-mask wrap at the same edges.
    for (const [c, trusted] of [...runs, ...cases.map((c) => [c, true] as const)]) {
      const fast = wasmStep(c, 1, trusted);
      const ref = scalarStep(c);
      expect([...fast.s.u]).toEqual([...ref.s.u]);
      expect([...fast.s.v]).toEqual([...ref.s.v]);
      expect(fast.list).toEqual(ref.list);
      expect(fast.coreInactive).toEqual(ref.coreInactive);
    }
  });
});

describe('deliverSparse: the packed-word loop of the free run', () => {
  it('adds every row of the spiking sources into a cleared accumulator and counts events and deliveries', () => {
    const rows = fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: -128, max: 127 })), { maxLength: 12 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(rows, fc.array(fc.nat(), { maxLength: 10 }), (synapses, picks) => {
        const n = 31;
        const rowStart = [0];
        const words: number[] = [];
        for (const row of synapses) {
          for (const [target, w] of row) words.push((target << 8) | (w & 0xff));
          rowStart.push(words.length);
        }
        const sources = picks.map((p) => p % synapses.length);
        const expected = new Int32Array(n);
        const expectedDelivered = new Int32Array(n);
        let expectedEvents = 0;
        for (const src of sources) {
          expectedDelivered[src]!++;
          for (const [target, w] of synapses[src]!) expected[target] = expected[target]! + w;
          expectedEvents += synapses[src]!.length;
        }
        const f = WasmArena.footprint;
        const arena = new WasmArena(4 * f(4 * (n + words.length + rowStart.length + sources.length)));
        const acc = arena.int32(n);
        acc.fill(12345);
        const list = arena.int32(Math.max(1, sources.length));
        list.set(sources);
        const starts = arena.int32(rowStart.length);
        starts.set(rowStart);
        const packed = arena.int32(Math.max(1, words.length));
        packed.set(words);
        const delivered = arena.int32(n);
        const events = arena.kernels.deliverSparse(list.byteOffset, sources.length, starts.byteOffset, packed.byteOffset, acc.byteOffset, f(4 * n), delivered.byteOffset);
        expect(events).toBe(expectedEvents);
        expect([...acc]).toEqual([...expected]);
        expect([...delivered]).toEqual([...expectedDelivered]);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

/**
 * A random conv table (each source position reaches some (output position, tap) pairs of a grid of the same size),
 * the events on it, and what the TypeScript scatter leaves in a random accumulator: the expected result.
 */
function convCase(
  seed: number,
  shape: { readonly inChannels: number; readonly outChannels: number; readonly plane: number; readonly taps: number },
  weight: (draw: number) => number,
  accumulated: (draw: number) => number,
  rawEvents: readonly (readonly [number, number])[],
) {
  let r = seed;
  const next = () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0);
  const start = [0];
  const outPosition: number[] = [];
  const tap: number[] = [];
  for (let p = 0; p < shape.plane; p++) {
    for (let k = 0; k < shape.taps; k++) {
      if (next() % 3 === 0) continue;
      outPosition.push(next() % shape.plane);
      tap.push(k);
    }
    start.push(outPosition.length);
  }
  const weights = Int32Array.from({ length: shape.inChannels * shape.taps * shape.outChannels }, () => weight(next()));
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
  const neurons = shape.plane * shape.outChannels;
  const events = rawEvents.map(([a, v]) => [a % (shape.inChannels * shape.plane), v] as const);
  const layer = { synapses, accumulator: Int32Array.from({ length: neurons }, () => accumulated(next())) } as unknown as LayerRuntime;
  const initial = Int32Array.from(layer.accumulator);
  for (const [axon, value] of events) scatter(layer, axon, value, true);
  const arena = new WasmArena(8 * WasmArena.footprint(4 * (2 * neurons + weights.length + start.length + 2 * outPosition.length + 2 * events.length + 16)));
  const put = (a: ArrayLike<number>) => {
    const to = arena.int32(Math.max(1, a.length));
    to.set(Array.from(a));
    return to.byteOffset;
  };
  const table = { axons: put(events.map((e) => e[0])), values: put(events.map((e) => e[1])), start: put(start), outPosition: put(outPosition), tap: put(tap) };
  return { arena, table, events, weights, initial, expected: layer.accumulator, neurons };
}

describe('scatterConv: the TypeScript conv scatter of a list of events', () => {
  it('gives the same accumulator for any table, channel count and event values', () => {
    const shapes = fc.record({
      inChannels: fc.integer({ min: 1, max: 3 }),
      outChannels: fc.integer({ min: 1, max: 11 }),
      plane: fc.integer({ min: 1, max: 6 }),
      taps: fc.integer({ min: 1, max: 4 }),
    });
    const events = fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(1), fc.integer({ min: -300, max: 300 }), int32)), { maxLength: 8 });
    fc.assert(
      fc.property(shapes, fc.nat(), events, (shape, seed, raw) => {
        const c = convCase(
          seed,
          shape,
          (d) => (d % 4001) - 2000,
          (d) => d | 0,
          raw,
        );
        const acc = c.arena.int32(c.neurons);
        acc.set(c.initial);
        const w = c.arena.int32(c.weights.length);
        w.set(c.weights);
        const { table: t } = c;
        c.arena.kernels.scatterConv(t.axons, t.values, c.events.length, shape.plane, t.start, t.outPosition, t.tap, w.byteOffset, shape.taps, shape.outChannels, acc.byteOffset);
        expect([...acc]).toEqual([...c.expected]);
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it('with 16-bit lanes and the widening into the 32-bit accumulator, when the sums stay within 16 bits', () => {
    const shapes = fc.record({
      inChannels: fc.constant(2),
      outChannels: fc.oneof(fc.integer({ min: 1, max: 21 }), fc.integer({ min: 32, max: 75 })),
      plane: fc.integer({ min: 1, max: 6 }),
      taps: fc.integer({ min: 1, max: 4 }),
    });
    // |w| <= 127, at most 8 events of at most 4 spikes: every partial sum stays below 2^15 in magnitude.
    const events = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })), { maxLength: 8 });
    fc.assert(
      fc.property(shapes, fc.nat(), events, (shape, seed, raw) => {
        const c = convCase(
          seed,
          shape,
          (d) => (d % 255) - 127,
          (d) => (d % 2001) - 1000,
          raw,
        );
        const wide = Math.ceil(c.neurons / 8) * 8;
        const acc = c.arena.int32(wide);
        acc.set(c.initial);
        const acc16 = c.arena.int16(wide);
        const w16 = c.arena.int16(c.weights.length);
        w16.set(c.weights);
        const { table: t } = c;
        const k = c.arena.kernels;
        k.scatterConv16(t.axons, t.values, c.events.length, shape.plane, t.start, t.outPosition, t.tap, w16.byteOffset, shape.taps, shape.outChannels, acc16.byteOffset);
        k.widenInto(acc16.byteOffset, acc.byteOffset, c.neurons);
        expect([...acc.subarray(0, c.neurons)]).toEqual([...c.expected]);
        expect([...acc.subarray(c.neurons)].every((x) => x === 0)).toBe(true);
        expect([...acc16].every((x) => x === 0)).toBe(true);
      }),
      { seed: 9, numRuns: 300 },
    );
  });

  it('with events of value 1 grouped by source position (scatterConv16Ones), as scatterConv16 and the TypeScript scatter', () => {
    const shapes = fc.record({
      inChannels: fc.integer({ min: 1, max: 4 }),
      outChannels: fc.oneof(fc.integer({ min: 1, max: 21 }), fc.integer({ min: 32, max: 75 })),
      plane: fc.integer({ min: 1, max: 6 }),
      taps: fc.integer({ min: 1, max: 4 }),
    });
    // |w| <= 127 and at most 60 events through at most 4 taps: every partial sum stays below 2^15 in magnitude.
    const events = fc.array(fc.tuple(fc.nat(), fc.constant(1)), { maxLength: 60 });
    fc.assert(
      fc.property(shapes, fc.nat(), events, (shape, seed, raw) => {
        const c = convCase(
          seed,
          shape,
          (d) => (d % 255) - 127,
          (d) => (d % 2001) - 1000,
          raw,
        );
        const wide = Math.ceil(c.neurons / 8) * 8;
        const w16 = c.arena.int16(c.weights.length);
        w16.set(c.weights);
        const { table: t } = c;
        const k = c.arena.kernels;
        const run = (scatter: (acc16: number) => void) => {
          const acc = c.arena.int32(wide);
          acc.set(c.initial);
          const acc16 = c.arena.int16(wide);
          scatter(acc16.byteOffset);
          k.widenInto(acc16.byteOffset, acc.byteOffset, c.neurons);
          expect([...acc16].every((x) => x === 0)).toBe(true);
          return [...acc.subarray(0, c.neurons)];
        };
        const counts = c.arena.int32(shape.plane + 1);
        const grouped = c.arena.int32(Math.max(1, c.events.length));
        const ones = run((acc16) =>
          k.scatterConv16Ones(
            t.axons,
            c.events.length,
            shape.plane,
            t.start,
            t.outPosition,
            t.tap,
            w16.byteOffset,
            shape.taps,
            shape.outChannels,
            acc16,
            counts.byteOffset,
            grouped.byteOffset,
          ),
        );
        expect(ones).toEqual([...c.expected]);
        expect(ones).toEqual(
          run((acc16) => k.scatterConv16(t.axons, t.values, c.events.length, shape.plane, t.start, t.outPosition, t.tap, w16.byteOffset, shape.taps, shape.outChannels, acc16)),
        );
      }),
      { seed: 10, numRuns: 300 },
    );
  });
});

describe('the chip simulator with the WebAssembly kernels and without them', () => {
  const previous = process.env.SPIKECHIP_NO_WASM;
  afterEach(() => {
    if (previous === undefined) delete process.env.SPIKECHIP_NO_WASM;
    else process.env.SPIKECHIP_NO_WASM = previous;
  });
  const subset = loadFashionMnist(bundledFashionMnistDir(), 'test', 12);
  const model = readModelFile(bundledModelPath());
  const cases = [
    ['loihi2', 'direct'],
    ['loihi2', 'poisson'],
    ['loihi', 'direct'],
    ['tianjic', 'direct'],
  ] as const;
  for (const [chip, encoding] of cases) {
    it(`gives the same result object on ${chip} with ${encoding} input`, () => {
      const spec = getChip(chip);
      const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
      const run = (noWasm: boolean) => {
        if (noWasm) process.env.SPIKECHIP_NO_WASM = '1';
        else delete process.env.SPIKECHIP_NO_WASM;
        const batch = { images: subset.images, labels: subset.labels, count: subset.count, first: 0 };
        return simulateImages(buildRuntime(program, spec, `${chip}.chip.pb`), batch, encoding, 3, undefined, ['all']);
      };
      const scalar = run(true);
      const simd = run(false);
      expect(scalar.layerSpikes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(simd).toEqual(scalar);
    });
  }
});
